// Package assets holds what ships inside the binary: the bank profiles,
// the trust frameworks' certificate templates, the translations and the
// application icon.
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

//go:embed frameworks/*.json
var frameworks embed.FS

// Frameworks is the trust frameworks' certificate templates (core/csr),
// one JSON file each at its root.
func Frameworks() fs.FS {
	sub, err := fs.Sub(frameworks, "frameworks")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}

// Translations holds translations/LANG.json: for each English text (the
// key, see core/text) its words in LANG.
//
//go:embed translations/*.json
var Translations embed.FS
