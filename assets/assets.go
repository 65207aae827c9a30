// Package assets holds what ships inside the binary: the bank profiles and
// the application icon.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed profiles/*.json
var profiles embed.FS

// Profiles is the built-in bank profiles, one JSON file each at its root.
func Profiles() fs.FS {
	sub, err := fs.Sub(profiles, "profiles")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}
