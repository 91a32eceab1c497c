package awx

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// pemObject is one BEGIN/END block of a key or certificate file.
type pemObject struct {
	key       bool // a private key (else a certificate)
	encrypted bool // a private key protected by a passphrase
}

// The PEM patterns are compiled on first use: only SSH key inputs need
// them, and every launch would pay for them in package initialisation.
var (
	pemObjectRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)^(-{4,}) *BEGIN ([A-Z ]+?) *(-{4,})\s*(.+?)\s*(-{4,}) *END ([A-Z ]+?) *(-{4,})(.*?)$`)
	})
	pemHeaderRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+?):\s*?(.+?)(\\?)$`) })
	// privateKeyTypes maps the X of "BEGIN X PRIVATE KEY" to ssh-keygen's type.
	privateKeyTypes = map[string]string{"RSA": "rsa", "DSA": "dsa", "EC": "ecdsa", "OPENSSH": "ed25519", "": "rsa1"}
)

// validateSSHPrivateKey checks data as AWX's validate_ssh_private_key does
// (awx/main/validators.py): PEM objects, at least one private key, the
// rest certificates, each valid base64; its messages are AWX's.
func validateSSHPrivateKey(data string) ([]pemObject, error) {
	var objs []pemObject
	keys := 0
	data = strings.TrimLeft(data, " \t\r\n\v\f")
	for data != "" {
		m := pemObjectRE().FindStringSubmatch(data)
		if m == nil || m[1] != m[3] || m[1] != m[5] || m[1] != m[7] || m[2] != m[6] {
			prefix := data
			if len(prefix) > 100 {
				prefix = prefix[:100]
			}
			return nil, fmt.Errorf("Invalid certificate or key: %s...", prefix)
		}
		data = strings.TrimLeft(m[8], " \t\r\n\v\f")
		typ, body := m[2], m[4]
		var obj pemObject
		switch {
		case strings.HasSuffix(typ, "PRIVATE KEY"):
			keys++
			obj.key = true
			kt := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(typ, "ENCRYPTED PRIVATE KEY", ""), "PRIVATE KEY", ""))
			keyType, ok := privateKeyTypes[kt]
			if !ok {
				return nil, fmt.Errorf("Invalid private key: unsupported type %q", kt)
			}
			raw, err := pemBase64(body)
			if err != nil {
				return nil, err
			}
			switch {
			case keyType == "ed25519":
				obj.encrypted = !bytes.HasPrefix(raw, []byte("openssh-key-v1\x00\x00\x00\x00\x04none"))
			case typ == "ENCRYPTED PRIVATE KEY":
				obj.encrypted = true
			default:
				obj.encrypted = strings.Contains(body, "ENCRYPTED")
			}
		case typ == "CERTIFICATE":
			if _, err := pemBase64(body); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("Unsupported PEM object type: %q", typ)
		}
		objs = append(objs, obj)
	}
	if keys < 1 {
		return nil, errors.New("At least one private key is required.")
	}
	return objs, nil
}

// pemBase64 decodes a PEM body, skipping its "Name: value" header lines.
func pemBase64(body string) ([]byte, error) {
	var b strings.Builder
	continues := false
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if continues {
			continues = strings.HasSuffix(line, `\`)
			continue
		}
		if pemHeaderRE().MatchString(line) {
			continues = strings.HasSuffix(line, `\`)
			continue
		}
		b.WriteString(line)
	}
	raw, err := base64.StdEncoding.DecodeString(b.String())
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(b.String(), "="))
	}
	if err != nil || len(raw) == 0 {
		return nil, errors.New("Invalid base64-encoded data")
	}
	return raw, nil
}

// hasEncryptedKey reports whether any private key among objs is encrypted.
func hasEncryptedKey(objs []pemObject) bool {
	for _, o := range objs {
		if o.key && o.encrypted {
			return true
		}
	}
	return false
}
