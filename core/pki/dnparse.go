package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/text"
)

// Attribute is one attribute of a distinguished name: its OID in dotted
// form and its value as text.
type Attribute struct {
	Type  string
	Value string
}

// DN is a distinguished name as RFC 4514 writes it: RDNs from the last to
// the first, each a set of attributes.
type DN [][]Attribute

// MaxDNLength bounds a DN string accepted for parsing.
const MaxDNLength = 4096

// attributeOIDs maps the names a DN string may use (any case) to OIDs: the
// names FormatDN writes plus the aliases other tools write.
var attributeOIDs = func() map[string]string {
	m := map[string]string{"e": "1.2.840.113549.1.9.1", "s": "2.5.4.8", "email": "1.2.840.113549.1.9.1"}
	for oid, name := range attributeNames {
		m[strings.ToLower(name)] = oid
	}
	return m
}()

// ParseDN reads an RFC 4514 string such as a tls_client_auth_subject_dn
// claim. Values written as '#' and hex (section 2.4) are decoded when they
// hold a string.
func ParseDN(s string) (DN, error) {
	if len(s) > MaxDNLength {
		return nil, text.New("distinguished name too long")
	}
	if strings.TrimSpace(s) == "" {
		return nil, text.New("distinguished name is empty")
	}
	var (
		dn  DN
		rdn []Attribute
		i   int
	)
	for {
		// attributeType
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, text.Errorf("expected name=value at %q", s[i:])
		}
		name := strings.TrimSpace(s[i : i+eq])
		oid, err := attributeOID(name)
		if err != nil {
			return nil, err
		}
		i += eq + 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
		value, next, err := parseDNValue(s, i)
		if err != nil {
			return nil, err
		}
		rdn = append(rdn, Attribute{Type: oid, Value: value})
		i = next
		if i == len(s) {
			dn = append(dn, rdn)
			return dn, nil
		}
		switch s[i] {
		case ',', ';':
			dn = append(dn, rdn)
			rdn = nil
		case '+':
		default:
			return nil, text.Errorf("unexpected %q in distinguished name", s[i])
		}
		i++
	}
}

func attributeOID(name string) (string, error) {
	if name == "" {
		return "", text.New("empty attribute name in distinguished name")
	}
	if oid, ok := attributeOIDs[strings.ToLower(name)]; ok {
		return oid, nil
	}
	name = strings.TrimPrefix(strings.TrimPrefix(name, "OID."), "oid.")
	for _, part := range strings.Split(name, ".") {
		if part == "" || strings.Trim(part, "0123456789") != "" {
			return "", text.Errorf("unknown attribute %q in distinguished name", name)
		}
	}
	if !strings.Contains(name, ".") {
		return "", text.Errorf("unknown attribute %q in distinguished name", name)
	}
	return name, nil
}

// parseDNValue reads one value starting at s[i] and returns it unescaped
// with the index just after it (at a separator or the end).
func parseDNValue(s string, i int) (string, int, error) {
	if i < len(s) && s[i] == '#' {
		end := i + 1
		for end < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[end]) >= 0 {
			end++
		}
		der, err := hex.DecodeString(s[i+1 : end])
		if err != nil || len(der) == 0 {
			return "", 0, text.New("bad hex value in distinguished name")
		}
		var v any
		if rest, err := asn1.Unmarshal(der, &v); err == nil && len(rest) == 0 {
			if str, ok := v.(string); ok {
				return str, skipSpaces(s, end), nil
			}
		}
		return "#" + strings.ToLower(s[i+1:end]), skipSpaces(s, end), nil
	}
	var b []byte
	lastKept := 0 // length of b up to the last escaped or non-space byte
	for i < len(s) {
		c := s[i]
		switch {
		case c == ',' || c == '+' || c == ';':
			return string(b[:lastKept]), i, nil
		case c == '\\':
			if i+1 >= len(s) {
				return "", 0, text.New("distinguished name ends with a lone backslash")
			}
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				x, _ := hex.DecodeString(s[i+1 : i+3])
				b = append(b, x[0])
				i += 3
			} else {
				b = append(b, s[i+1])
				i += 2
			}
			lastKept = len(b)
		default:
			b = append(b, c)
			if c != ' ' {
				lastKept = len(b)
			}
			i++
		}
	}
	return string(b[:lastKept]), i, nil
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

func isHex(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

// NameDN reads a DER-encoded Name (a certificate's RawSubject) in the same
// form as ParseDN.
func NameDN(der []byte) (DN, error) {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil || len(rest) > 0 {
		return nil, text.New("read distinguished name: not a DER Name")
	}
	dn := make(DN, 0, len(seq))
	for i := len(seq) - 1; i >= 0; i-- {
		rdn := make([]Attribute, 0, len(seq[i]))
		for _, atv := range seq[i] {
			a := Attribute{Type: atv.Type.String()}
			if s, ok := atv.Value.(string); ok {
				a.Value = s
			} else if raw, err := asn1.Marshal(atv.Value); err == nil {
				a.Value = "#" + hex.EncodeToString(raw)
			}
			rdn = append(rdn, a)
		}
		dn = append(dn, rdn)
	}
	return dn, nil
}

// Equal reports whether two DNs name the same subject: the same RDNs in the
// same order, attributes within an RDN in any order, values compared without
// regard to case (caseIgnoreMatch, RFC 4517) and with inner runs of spaces
// folded.
func (d DN) Equal(o DN) bool {
	if len(d) != len(o) {
		return false
	}
	for i := range d {
		if len(d[i]) != len(o[i]) {
			return false
		}
		for _, a := range d[i] {
			if !slices.ContainsFunc(o[i], func(b Attribute) bool { return a.Type == b.Type && sameValue(a.Value, b.Value) }) {
				return false
			}
		}
	}
	return true
}

func sameValue(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}
