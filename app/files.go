package app

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/text"
)

// MaxUserFile bounds any certificate, key, statement or CA file the user
// points at: real ones are a few kilobytes.
const MaxUserFile = pki.MaxFileSize

// ReadUserFile reads a file the user chose for what (a label such as
// "Transport certificate" or "--transport-cert"), refusing folders and
// files far too large to be what was asked for without reading them whole.
func ReadUserFile(what, path string) ([]byte, error) {
	return readCapped(what, path, MaxUserFile, "certificate, key and statement files are a few kilobytes")
}

// readCapped reads at most limit bytes of a file the user chose; usual says
// how large such files usually are.
func readCapped(what, path string, limit int, usual string) ([]byte, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, text.Errorf("%s: %s does not exist; choose the file again", what, path)
	case errors.Is(err, fs.ErrPermission):
		return nil, text.Errorf("%s: %s cannot be read with your permissions", what, path)
	case err != nil:
		return nil, text.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, text.Errorf("%s: %s is a folder; choose the file inside it", what, name)
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, text.Errorf("%s: %s could not be read: %w", what, name, err)
	}
	if len(data) > limit {
		return nil, text.Errorf("%s: %s is larger than %d KiB; %s, so this is probably the wrong file", what, name, limit>>10, usual)
	}
	return data, nil
}
