package pki

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"

	"github.com/tppwizard/tppwizard/core/text"
)

// PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018), the form OpenSSL 3
// writes for "openssl genpkey -aes256" and "openssl pkcs8 -topk8".

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     algorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc algorithmIdentifier
	EncryptionScheme  algorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                 `asn1:"optional"`
	PRF            algorithmIdentifier `asn1:"optional"`
}

// maxPBKDF2Iterations bounds the work a hostile file can ask for.
const maxPBKDF2Iterations = 10_000_000

func decryptPKCS8(der, passphrase []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, text.New("the encrypted private key is damaged")
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, text.Errorf("the private key is encrypted with %v, which is not supported; re-export it with AES (PBES2) or without a passphrase", info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, text.New("the encrypted private key has damaged PBES2 parameters")
	}
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, text.New("the encrypted private key uses a key derivation other than PBKDF2, which is not supported")
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		return nil, text.New("the encrypted private key has damaged PBKDF2 parameters")
	}
	if kdf.IterationCount < 1 || kdf.IterationCount > maxPBKDF2Iterations {
		return nil, text.Errorf("the encrypted private key asks for %d PBKDF2 iterations, outside the accepted range", kdf.IterationCount)
	}
	var prf func() hash.Hash
	switch {
	case len(kdf.PRF.Algorithm) == 0 || kdf.PRF.Algorithm.Equal(oidHMACSHA1):
		prf = sha1.New
	case kdf.PRF.Algorithm.Equal(oidHMACSHA256):
		prf = sha256.New
	case kdf.PRF.Algorithm.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, text.Errorf("the encrypted private key uses PRF %v, which is not supported", kdf.PRF.Algorithm)
	}
	var (
		keyLen   int
		newBlock func([]byte) (cipher.Block, error)
	)
	scheme := params.EncryptionScheme.Algorithm
	switch {
	case scheme.Equal(oidAES128CBC):
		keyLen, newBlock = 16, aes.NewCipher
	case scheme.Equal(oidAES192CBC):
		keyLen, newBlock = 24, aes.NewCipher
	case scheme.Equal(oidAES256CBC):
		keyLen, newBlock = 32, aes.NewCipher
	case scheme.Equal(oidDESEDE3CBC):
		keyLen, newBlock = 24, des.NewTripleDESCipher
	default:
		return nil, text.Errorf("the encrypted private key uses cipher %v, which is not supported", scheme)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
		return nil, text.New("the encrypted private key has a damaged IV")
	}
	key, err := pbkdf2.Key(prf, string(passphrase), kdf.Salt, kdf.IterationCount, keyLen)
	if err != nil {
		return nil, text.Errorf("derive key: %w", err)
	}
	block, err := newBlock(key)
	if err != nil {
		return nil, err
	}
	if len(iv) != block.BlockSize() || len(info.EncryptedData) == 0 || len(info.EncryptedData)%block.BlockSize() != 0 {
		return nil, text.New("the encrypted private key is damaged (bad IV or data length)")
	}
	plain := make([]byte, len(info.EncryptedData))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.EncryptedData)
	// PKCS#7 padding; a wrong passphrase almost always breaks it.
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > block.BlockSize() {
		return nil, ErrWrongPassphrase
	}
	for _, p := range plain[len(plain)-pad:] {
		if int(p) != pad {
			return nil, ErrWrongPassphrase
		}
	}
	plain = plain[:len(plain)-pad]
	if _, err := asn1.Unmarshal(plain, &asn1.RawValue{}); err != nil {
		return nil, ErrWrongPassphrase
	}
	return plain, nil
}
