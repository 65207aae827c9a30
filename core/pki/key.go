package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"

	"github.com/tppwizard/tppwizard/core/text"
)

var (
	// ErrEncryptedKey means the key is protected by a passphrase and none was given.
	ErrEncryptedKey = text.New("the private key is protected by a passphrase")
	// ErrWrongPassphrase means the passphrase did not decrypt the key.
	ErrWrongPassphrase = text.New("the passphrase does not open this private key")
)

// ParsePrivateKey reads the first private key in data: PKCS#1 ("RSA PRIVATE
// KEY"), PKCS#8 ("PRIVATE KEY"), SEC1 ("EC PRIVATE KEY"), PKCS#8 encrypted
// with PBES2 ("ENCRYPTED PRIVATE KEY") or legacy OpenSSL encryption. An
// encrypted key without passphrase gives ErrEncryptedKey, so a front end can
// ask for one and try again.
func ParsePrivateKey(data, passphrase []byte) (crypto.Signer, error) {
	blocks, err := Blocks(data)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		switch b.Type {
		case "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY":
			der := b.Bytes
			if x509.IsEncryptedPEMBlock(b.Block) { //nolint:staticcheck // legacy OpenSSL files still exist
				if len(passphrase) == 0 {
					return nil, ErrEncryptedKey
				}
				der, err = x509.DecryptPEMBlock(b.Block, passphrase) //nolint:staticcheck // see above
				if err != nil {
					return nil, ErrWrongPassphrase
				}
			}
			return parseKeyDER(b.Type, der)
		case "ENCRYPTED PRIVATE KEY":
			if len(passphrase) == 0 {
				return nil, ErrEncryptedKey
			}
			der, err := decryptPKCS8(b.Bytes, passphrase)
			if err != nil {
				return nil, err
			}
			return parseKeyDER("PRIVATE KEY", der)
		}
	}
	for _, b := range blocks {
		switch b.Type {
		case "CERTIFICATE":
			return nil, text.New("this file holds a certificate, not a private key: choose the key file (often .key) here")
		case "OPENSSH PRIVATE KEY":
			return nil, text.New("this is an OpenSSH key (for logging in to servers), not the key of a certificate: choose the key file created with the certificate")
		}
	}
	return nil, text.Errorf("the file holds no private key (found %s)", blockTypes(blocks))
}

func parseKeyDER(typ string, der []byte) (crypto.Signer, error) {
	var (
		key any
		err error
	)
	switch typ {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	default:
		key, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		return nil, text.Errorf("the private key cannot be read (%s): %w", typ, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, text.Errorf("unsupported private key type %T", key)
}

// EncodePrivateKey writes a key as unencrypted PKCS#8 PEM, the form kept in
// the OS keyring.
func EncodePrivateKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, text.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
