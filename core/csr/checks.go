package csr

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/text"
)

// maxAttribute is the longest value X.520 allows a name attribute
// (ub-common-name, ub-organization-name: 64).
const maxAttribute = 64

// checks are the named checks an input may ask for. Each returns what is
// wrong, or a zero message; values are every input's, for checks that
// compare two.
var checks = map[string]func(v string, values map[string]string, fw *Framework) text.Message{
	"country":                      checkCountry,
	"psd2-organization-identifier": checkPSD2ID,
	"dns-name":                     checkDNSName,
}

var countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)

func checkCountry(v string, _ map[string]string, _ *Framework) text.Message {
	if !countryPattern.MatchString(v) {
		return text.F("%q is not a two-letter country code in capitals (ISO 3166), such as FR or GB", v)
	}
	return text.Message{}
}

// psd2ID is ETSI TS 119 495's organizationIdentifier for a PSP: "PSD", the
// country of its authorisation, the authority's id, its authorisation
// number (PSDFR-ACPR-12345).
var psd2ID = regexp.MustCompile(`^PSD([A-Z]{2})-([A-Z]{2,8})-([A-Za-z0-9][A-Za-z0-9._/-]*)$`)

func checkPSD2ID(v string, values map[string]string, fw *Framework) text.Message {
	m := psd2ID.FindStringSubmatch(v)
	if m == nil {
		return text.F("%q is not of the form PSDXX-YYYY-ZZZZ: PSD, the country, the supervisor's id, your authorisation number (PSDFR-ACPR-12345)", v)
	}
	for _, in := range fw.Inputs {
		if c := values[in.Name]; in.Check == "country" && countryPattern.MatchString(c) && c != m[1] {
			return text.F("it says country %s, but the certificate's country is %s", m[1], c)
		}
	}
	return text.Message{}
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func checkDNSName(v string, _ map[string]string, _ *Framework) text.Message {
	labels := strings.Split(v, ".")
	if len(v) > 253 || len(labels) < 2 {
		return text.F("%q is not a domain name such as api.example.com", v)
	}
	for _, l := range labels {
		if !dnsLabel.MatchString(l) {
			return text.F("%q is not a domain name such as api.example.com (lower-case letters, digits and dashes between dots)", v)
		}
	}
	return text.Message{}
}

// Check checks every input the framework asks for: each is given, fits
// its pattern and named check, and is no longer than a name attribute
// may be. Findings name the input.
func (fw *Framework) Check(values map[string]string) check.List {
	var out check.List
	bad := func(in Input, m text.Message) {
		out = append(out, check.Finding{Severity: check.Error, Field: in.Name, Message: m})
	}
	for _, in := range fw.Inputs {
		v := values[in.Name]
		label := text.Data(in.Label)
		switch {
		case strings.TrimSpace(v) == "":
			bad(in, text.F("%s is needed", label))
		case v != strings.TrimSpace(v):
			bad(in, text.F("%s starts or ends with a space", label))
		case utf8.RuneCountInString(v) > maxAttribute:
			bad(in, text.F("%s is %d characters; a certificate holds at most %d", label, utf8.RuneCountInString(v), maxAttribute))
		case in.pattern != nil && !in.pattern.MatchString(v):
			m := text.F("%q is not the form %s takes", v, label)
			if in.Example != "" {
				m = text.F("%q is not the form %s takes (for example %s)", v, label, in.Example)
			}
			bad(in, m)
		case in.Check != "":
			if m := checks[in.Check](v, values, fw); !m.IsZero() {
				bad(in, m)
			}
		}
	}
	return out
}
