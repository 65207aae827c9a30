package keystore

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tppwizard/tppwizard/core/text"
)

// DefaultChunkSize keeps every stored value under Windows' 2560-byte limit
// and macOS's command-length limit once go-keyring has base64-encoded it.
const DefaultChunkSize = 1800

// manifestPrefix marks a value that was split into chunks.
const manifestPrefix = "tppwizard-chunks:v1:"

// Chunked splits values larger than Size into parts stored under their own
// keys, and writes a manifest under the value's key last, so that a reader
// sees either the old value or the new one, never a mix. The manifest holds
// the SHA-256 of the whole value, checked on every read.
type Chunked struct {
	Store Store
	Size  int
}

// NewChunked wraps s with the default chunk size.
func NewChunked(s Store) *Chunked { return &Chunked{Store: s, Size: DefaultChunkSize} }

type manifest struct {
	gen   string
	parts int
	sum   string
}

func (m manifest) String() string {
	return manifestPrefix + m.gen + ":" + strconv.Itoa(m.parts) + ":" + m.sum
}

func parseManifest(v string) (manifest, bool) {
	rest, ok := strings.CutPrefix(v, manifestPrefix)
	if !ok {
		return manifest{}, false
	}
	f := strings.Split(rest, ":")
	if len(f) != 3 {
		return manifest{}, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 1 || n > 10000 {
		return manifest{}, false
	}
	return manifest{gen: f[0], parts: n, sum: f[2]}, true
}

func partKey(key, gen string, i int) string {
	return key + "#" + gen + "/" + strconv.Itoa(i)
}

// Get reads a value, reassembling it when it was split.
func (c *Chunked) Get(key string) (string, error) {
	v, err := c.Store.Get(key)
	if err != nil {
		return "", err
	}
	m, ok := parseManifest(v)
	if !ok {
		return v, nil
	}
	var b strings.Builder
	for i := range m.parts {
		p, err := c.Store.Get(partKey(key, m.gen, i))
		if err != nil {
			return "", text.Errorf("part %d of %d of %q is missing from the keyring: %w", i+1, m.parts, key, err)
		}
		b.WriteString(p)
	}
	whole := b.String()
	sum := sha256.Sum256([]byte(whole))
	if hex.EncodeToString(sum[:]) != m.sum {
		return "", text.Errorf("the value of %q in the keyring is damaged (checksum mismatch)", key)
	}
	return whole, nil
}

// Set writes a value, splitting it when it is larger than Size (or when it
// would be mistaken for a manifest).
func (c *Chunked) Set(key, value string) error {
	old, _ := c.Store.Get(key)
	oldManifest, hadParts := parseManifest(old)

	if len(value) <= c.size() && !strings.HasPrefix(value, manifestPrefix) {
		if err := c.Store.Set(key, value); err != nil {
			return err
		}
	} else {
		if err := c.setParts(key, value); err != nil {
			return err
		}
	}
	if hadParts {
		c.deleteParts(key, oldManifest)
	}
	return nil
}

func (c *Chunked) setParts(key, value string) error {
	genBytes := make([]byte, 6)
	if _, err := rand.Read(genBytes); err != nil {
		return err
	}
	parts := split(value, c.size())
	m := manifest{gen: hex.EncodeToString(genBytes), parts: len(parts)}
	sum := sha256.Sum256([]byte(value))
	m.sum = hex.EncodeToString(sum[:])
	for i, p := range parts {
		if err := c.Store.Set(partKey(key, m.gen, i), p); err != nil {
			c.deleteParts(key, manifest{gen: m.gen, parts: i})
			if errors.Is(err, ErrTooBig) {
				return text.Errorf("the keyring refused a %d-byte part: %w", len(p), err)
			}
			return err
		}
	}
	if err := c.Store.Set(key, m.String()); err != nil {
		c.deleteParts(key, m)
		return err
	}
	return nil
}

func (c *Chunked) deleteParts(key string, m manifest) {
	for i := range m.parts {
		_ = c.Store.Delete(partKey(key, m.gen, i))
	}
}

// Delete removes a value and its parts.
func (c *Chunked) Delete(key string) error {
	v, err := c.Store.Get(key)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := c.Store.Delete(key); err != nil {
		return err
	}
	if m, ok := parseManifest(v); ok {
		c.deleteParts(key, m)
	}
	return nil
}

func (c *Chunked) size() int {
	if c.Size <= 0 {
		return DefaultChunkSize
	}
	return c.Size
}

// split cuts s into pieces of at most n bytes without cutting a UTF-8
// character in two.
func split(s string, n int) []string {
	var parts []string
	for len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = n
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return append(parts, s)
}
