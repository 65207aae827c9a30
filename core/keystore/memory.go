package keystore

import "sync"

// Memory is an in-process store: for tests, and for a session without an OS
// keyring, where nothing may reach the disk. MaxValue, when set, refuses
// larger values the way Windows' Credential Manager does.
type Memory struct {
	MaxValue int

	mu     sync.Mutex
	values map[string]string
}

// NewMemory returns an empty store.
func NewMemory() *Memory { return &Memory{} }

// Get reads a value.
func (m *Memory) Get(key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.values[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set writes a value.
func (m *Memory) Set(key, value string) error {
	if m.MaxValue > 0 && len(value) > m.MaxValue {
		return ErrTooBig
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string]string{}
	}
	m.values[key] = value
	return nil
}

// Delete removes a value.
func (m *Memory) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.values, key)
	return nil
}

// Keys lists what is stored, for tests.
func (m *Memory) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.values))
	for k := range m.values {
		keys = append(keys, k)
	}
	return keys
}
