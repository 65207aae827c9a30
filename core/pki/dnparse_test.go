package pki

import "testing"

func TestDNFromStringEqualsCertificateSubject(t *testing.T) {
	certs, err := ParseCertificates(readTestdata(t, "rsa-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := NameDN(certs[0].RawSubject)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dn string
		equal    bool
	}{
		{"OpenSSL RFC2253 output", opensslRSASubject, true},
		{"hex value as Go's pkix writes it", `CN=exemple-qseal,2.5.4.97=#0c1050534446522d414350522d3132333435,O=Exemple Paiements\, SAS,C=FR`, true},
		{"hex-escaped comma and spaces after separators", `CN=exemple-qseal, organizationIdentifier=PSDFR-ACPR-12345, O=Exemple Paiements\2C SAS, C=FR`, true},
		{"attribute names in other case", `cn=exemple-qseal,ORGANIZATIONIDENTIFIER=PSDFR-ACPR-12345,o=Exemple Paiements\, SAS,c=FR`, true},
		{"values differ only in case", `CN=EXEMPLE-QSEAL,organizationIdentifier=PSDFR-ACPR-12345,O=Exemple Paiements\, SAS,C=fr`, true},
		{"reversed order (X.500 order, not RFC 4514)", `C=FR,O=Exemple Paiements\, SAS,organizationIdentifier=PSDFR-ACPR-12345,CN=exemple-qseal`, false},
		{"organizationIdentifier left out, as RDNSequence.String does", `CN=exemple-qseal,O=Exemple Paiements\, SAS,C=FR`, false},
		{"another organisation", `CN=exemple-qseal,organizationIdentifier=PSDFR-ACPR-99999,O=Exemple Paiements\, SAS,C=FR`, false},
		{"unescaped comma splits the organisation", `CN=exemple-qseal,organizationIdentifier=PSDFR-ACPR-12345,O=Exemple Paiements, SAS,C=FR`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dn, err := ParseDN(tt.dn)
			if err != nil {
				if tt.equal {
					t.Fatal(err)
				}
				return
			}
			if got := dn.Equal(subject); got != tt.equal {
				t.Errorf("Equal = %v, want %v (parsed %v)", got, tt.equal, dn)
			}
		})
	}
}

func TestParseDNRefusesMalformedNames(t *testing.T) {
	for _, s := range []string{"", "CN", "CN=a,", "=a", "XX=a", "CN=a\\", "CN=#zz", "1.=x", "CN=a,O=b\\"} {
		if dn, err := ParseDN(s); err == nil {
			t.Errorf("ParseDN(%q) = %v, want an error", s, dn)
		}
	}
}

func FuzzParseDN(f *testing.F) {
	f.Add(opensslRSASubject)
	f.Add(opensslECSubject)
	f.Add(`CN=a+OU=b,2.5.4.97=#0c03616263,O=\#x\ `)
	f.Fuzz(func(t *testing.T, s string) {
		dn, err := ParseDN(s)
		if err != nil {
			return
		}
		if !dn.Equal(dn) {
			t.Fatalf("a parsed DN is not equal to itself: %v", dn)
		}
	})
}
