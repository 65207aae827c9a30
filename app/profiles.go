package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tppwizard/tppwizard/core/profile"
)

// InstallProfiles writes bank profiles to the user's profile folder, where
// every later run finds them; it returns the folder.
func (a *App) InstallProfiles(ps []*profile.Profile) (string, error) {
	if a.ConfigDir == "" {
		return "", errors.New("no configuration folder to install profiles in")
	}
	dir := filepath.Join(a.ConfigDir, "profiles")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	for _, p := range ps {
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return "", err
		}
		if _, err := profile.Parse(p.ID+".json", data); err != nil {
			return "", fmt.Errorf("profile %s would not load: %w", p.ID, err)
		}
		if err := os.WriteFile(filepath.Join(dir, p.ID+".json"), append(data, '\n'), 0o600); err != nil {
			return "", err
		}
		a.Catalog.Put(p)
	}
	return dir, nil
}

// AddProfileFile checks a bank profile file and installs it, so that the
// bank is offered now and in every later run.
func (a *App) AddProfileFile(path string) (*profile.Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := profile.Parse(filepath.Base(path), data)
	if err != nil {
		return nil, err
	}
	if _, err := a.InstallProfiles([]*profile.Profile{p}); err != nil {
		return nil, err
	}
	return p, nil
}
