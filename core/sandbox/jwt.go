package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// clockSkew is the leeway allowed on iat, exp and nbf.
const clockSkew = 60 * time.Second

// maxJWTLifetime bounds exp - iat of a registration request or client
// assertion: these are one-shot JWTs.
const maxJWTLifetime = time.Hour

// peekHeader decodes a compact JWS's protected header without verifying
// anything, so that alg, kid and forbidden members can be refused by name
// before the signature is checked.
func peekHeader(compact string) (map[string]any, error) { return jwsPart(compact, 0, "header") }

// peekClaims decodes a compact JWS's payload without verifying it.
func peekClaims(compact string) (map[string]any, error) { return jwsPart(compact, 1, "payload") }

// jwsPart decodes part i of a compact JWS as a JSON object. A JWS with an
// empty signature is refused whichever part is asked for.
func jwsPart(compact string, i int, name string) (map[string]any, error) {
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		return nil, errors.New("expected three base64url parts separated by dots")
	}
	if parts[2] == "" {
		return nil, errors.New("the signature is empty")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		return nil, fmt.Errorf("the %s is not base64url", name)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("the %s is not a JSON object", name)
	}
	return m, nil
}

// numericDate reads a JWT NumericDate (seconds since the epoch).
func numericDate(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// audienceHas reports whether an aud claim (string or array) holds one of want.
func audienceHas(aud any, want ...string) bool {
	switch a := aud.(type) {
	case string:
		return containsFold(want, a) && a != ""
	case []any:
		for _, v := range a {
			if s, ok := v.(string); ok && s != "" && containsFold(want, s) {
				return true
			}
		}
	}
	return false
}

// stringList reads a JSON array of strings; ok is false for anything else.
func stringList(v any) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
