package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tppwizard/tppwizard/core/text"
)

// MaxFileSize bounds a profile file.
const MaxFileSize = 256 << 10

// Parse reads one profile file strictly: unknown fields, wrong types and
// trailing data are errors that name the file and the field.
func Parse(file string, data []byte) (*Profile, error) {
	if len(data) > MaxFileSize {
		return nil, &FieldError{File: file, Problem: text.F("%d bytes is too large for a profile", len(data))}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, describeJSONError(file, data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &FieldError{File: file, Problem: text.F("has data after the profile object")}
	}
	p.Source = file
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func describeJSONError(file string, data []byte, err error) error {
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		line, col := position(data, syntax.Offset)
		return &FieldError{File: file, Problem: text.F("is not valid JSON at line %d, column %d: %v", line, col, syntax)}
	case errors.As(err, &typeErr):
		return &FieldError{File: file, Field: typeErr.Field, Problem: text.F("must be %s, not %s", typeName(typeErr.Type.String()), typeErr.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &FieldError{File: file, Field: field, Problem: text.F("is not a profile field (check its spelling)")}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &FieldError{File: file, Problem: text.F("is empty or cut short")}
	}
	return &FieldError{File: file, Problem: text.F("%v", err)}
}

func typeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case goType == "string":
		return "text"
	case strings.HasPrefix(goType, "int"):
		return "a number"
	case strings.HasPrefix(goType, "*profile.") || strings.HasPrefix(goType, "profile."):
		return "an object"
	}
	return goType
}

func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset-1 && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// Catalog is every profile that loaded, and what was wrong with those that
// did not. One bad file never hides the good ones.
type Catalog struct {
	Profiles []*Profile
	Problems []error
}

// Load reads the built-in profiles (*.json at the root of builtin) and then
// the user's own from userDir (which may not exist). A user profile with the
// id of a built-in one replaces it, so a bank's changed endpoint can be fixed
// without a new release.
func Load(builtin fs.FS, userDir string) *Catalog {
	c := &Catalog{}
	byID := map[string]int{}
	add := func(p *Profile, replace bool) {
		if i, dup := byID[p.ID]; dup {
			if replace {
				c.Profiles[i] = p
				return
			}
			c.Problems = append(c.Problems, &FieldError{File: p.Source, Field: "id", Problem: text.F("%q is already used by %s", p.ID, c.Profiles[i].Source)})
			return
		}
		byID[p.ID] = len(c.Profiles)
		c.Profiles = append(c.Profiles, p)
	}
	if builtin != nil {
		names, err := fs.Glob(builtin, "*.json")
		if err != nil {
			c.Problems = append(c.Problems, err)
		}
		for _, name := range names {
			data, err := fs.ReadFile(builtin, name)
			if err != nil {
				c.Problems = append(c.Problems, err)
				continue
			}
			p, err := Parse(path.Join("built-in", name), data)
			if err != nil {
				c.Problems = append(c.Problems, err)
				continue
			}
			add(p, false)
		}
	}
	if userDir != "" {
		names, _ := filepath.Glob(filepath.Join(userDir, "*.json"))
		sort.Strings(names)
		userIDs := map[string]bool{}
		for _, name := range names {
			data, err := readLimited(name)
			if err != nil {
				c.Problems = append(c.Problems, &FieldError{File: name, Problem: text.F("%v", err)})
				continue
			}
			p, err := Parse(name, data)
			if err != nil {
				c.Problems = append(c.Problems, err)
				continue
			}
			add(p, !userIDs[p.ID])
			userIDs[p.ID] = true
		}
	}
	sort.SliceStable(c.Profiles, func(i, j int) bool {
		a, b := c.Profiles[i], c.Profiles[j]
		if a.Country != b.Country {
			return a.Country < b.Country
		}
		return a.Name < b.Name
	})
	return c
}

func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

// Put adds a profile, replacing the one with the same id (the sandbox's
// profiles, which depend on where it runs).
func (c *Catalog) Put(p *Profile) {
	for i, old := range c.Profiles {
		if old.ID == p.ID {
			c.Profiles[i] = p
			return
		}
	}
	c.Profiles = append(c.Profiles, p)
}

// Get returns the profile with this id.
func (c *Catalog) Get(id string) (*Profile, error) {
	for _, p := range c.Profiles {
		if p.ID == id {
			return p, nil
		}
	}
	var near []string
	for _, p := range c.Profiles {
		if strings.Contains(p.ID, id) || strings.Contains(id, p.ID) {
			near = append(near, p.ID)
		}
	}
	if len(near) > 0 {
		return nil, text.Errorf("there is no bank profile %q; did you mean %s? (\"tppwizard profiles\" lists them all)", id, strings.Join(near, " or "))
	}
	return nil, text.Errorf("there is no bank profile %q (\"tppwizard profiles\" lists them all)", id)
}
