// Package csr makes certificate signing requests the way each trust
// framework wants them: a key pair generated in memory, a subject laid out
// by the framework's template (attributes in its order, organizationIdentifier
// by its OID), checked field by field before anything is made. The
// templates are data (assets/frameworks), like the bank profiles.
package csr

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"

	"github.com/tppwizard/tppwizard/core/text"
)

// Framework is one trust framework's certificate rules.
type Framework struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// Portal is where the CSR is uploaded and the certificate fetched.
	Portal string `json:"portal_url"`
	// Instructions say, in a paragraph, what to do with the CSR file.
	Instructions string `json:"instructions"`
	// KeyTypes are the key types it accepts, the first the default.
	KeyTypes []KeyType `json:"key_types"`
	// Inputs are what the user types once, shared by the certificates.
	Inputs []Input `json:"inputs"`
	// Certificates are the certificates a TPP asks it for.
	Certificates []Template `json:"certificates"`
	// Sandbox marks the built-in sandbox's own framework: its CA issues
	// on the spot.
	Sandbox bool `json:"sandbox,omitempty"`
}

// Input is one value the user gives, with its checks.
type Input struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Help  string `json:"help,omitempty"`
	// Pattern is a regular expression the whole value must match.
	Pattern string `json:"pattern,omitempty"`
	// Check names a check beyond the pattern: "country" (ISO 3166
	// alpha-2), "psd2-organization-identifier" (ETSI TS 119 495), "dns-name".
	Check string `json:"check,omitempty"`
	// Example is a value of the right shape, shown as a placeholder.
	Example string `json:"example,omitempty"`

	pattern *regexp.Regexp // Pattern, anchored and compiled once
}

// Template is the subject of one certificate.
type Template struct {
	// Use is "transport" or "signing".
	Use  string `json:"use"`
	Name string `json:"name"`
	// Subject is the attributes in the order the CSR carries them.
	Subject []Attribute `json:"subject"`
}

// Attribute is one attribute of a subject: a fixed value, or an input's.
type Attribute struct {
	// Type is C, ST, L, O, OU, CN, serialNumber, UID or organizationIdentifier.
	Type  string `json:"type"`
	Value string `json:"value,omitempty"`
	Input string `json:"input,omitempty"`
	// Suffix is appended to the input's value ("<software id> signing").
	Suffix string `json:"suffix,omitempty"`
}

// Uses a certificate has.
const (
	UseTransport = "transport"
	UseSigning   = "signing"
)

// Load reads every *.json framework in fsys, sorted by name.
func Load(fsys fs.FS) ([]*Framework, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	var out []*Framework
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		fw, err := Parse(raw)
		if err != nil {
			return nil, text.Errorf("trust framework %s: %w", path.Base(f), err)
		}
		out = append(out, fw)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Parse reads and checks one framework file.
func Parse(raw []byte) (*Framework, error) {
	var fw Framework
	if err := json.Unmarshal(raw, &fw); err != nil {
		return nil, err
	}
	return &fw, fw.validate()
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,63}$`)

func (fw *Framework) validate() error {
	switch {
	case !idPattern.MatchString(fw.ID):
		return text.Errorf("id %q may hold only lower-case letters, digits, dots and dashes", fw.ID)
	case fw.Name == "":
		return text.New("it has no name")
	case len(fw.Certificates) == 0:
		return text.New("it asks for no certificate")
	case len(fw.KeyTypes) == 0:
		return text.New("it lists no key type")
	}
	if u, err := url.Parse(fw.Portal); fw.Portal != "" && (err != nil || u.Scheme != "https") {
		return text.Errorf("portal_url %q is not an https address", fw.Portal)
	}
	for _, k := range fw.KeyTypes {
		if !slices.Contains(KeyTypes, k) {
			return text.Errorf("key type %q is not one of %v", k, KeyTypes)
		}
	}
	inputs := map[string]bool{}
	for i, in := range fw.Inputs {
		if in.Name == "" || in.Label == "" {
			return text.New("an input has no name or label")
		}
		if in.Pattern != "" {
			re, err := regexp.Compile(`^(?:` + in.Pattern + `)$`)
			if err != nil {
				return text.Errorf("input %s: pattern: %w", in.Name, err)
			}
			fw.Inputs[i].pattern = re
		}
		if in.Check != "" && checks[in.Check] == nil {
			return text.Errorf("input %s: unknown check %q", in.Name, in.Check)
		}
		inputs[in.Name] = true
	}
	uses := map[string]bool{}
	for _, c := range fw.Certificates {
		if c.Use != UseTransport && c.Use != UseSigning {
			return text.Errorf("%q is not transport or signing", c.Use)
		}
		if uses[c.Use] {
			return text.Errorf("it asks twice for a %s certificate", c.Use)
		}
		uses[c.Use] = true
		if len(c.Subject) == 0 {
			return text.Errorf("the %s certificate has no subject", c.Use)
		}
		for _, a := range c.Subject {
			if _, ok := attributeOIDs[a.Type]; !ok {
				return text.Errorf("the %s certificate: unknown attribute %q", c.Use, a.Type)
			}
			if (a.Value == "") == (a.Input == "") {
				return text.Errorf("the %s certificate: attribute %s needs a value or an input, not both", c.Use, a.Type)
			}
			if a.Input != "" && !inputs[a.Input] {
				return text.Errorf("the %s certificate: attribute %s uses unknown input %q", c.Use, a.Type, a.Input)
			}
		}
	}
	return nil
}

// Template returns the framework's template for a use.
func (fw *Framework) Template(use string) (Template, bool) {
	for _, c := range fw.Certificates {
		if c.Use == use {
			return c, true
		}
	}
	return Template{}, false
}

// Find returns the framework with an id.
func Find(list []*Framework, id string) (*Framework, error) {
	for _, fw := range list {
		if fw.ID == id {
			return fw, nil
		}
	}
	ids := make([]string, len(list))
	for i, fw := range list {
		ids[i] = fw.ID
	}
	return nil, text.Errorf("there is no trust framework %q (known: %v)", id, ids)
}
