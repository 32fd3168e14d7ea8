package detect

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// The EICAR test string in two halves; see the package comment.
const (
	eicarHead = `X5O!P%@AP[4\PZX54(P^)7CC)7}$`
	eicarTail = `EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`
)

// EICARMaxSize is the largest file the EICAR standard allows: the 68-byte
// string followed by whitespace up to 128 bytes in all.
const EICARMaxSize = 128

// EICARThreatName is the threat name Defender reports for the test file.
const EICARThreatName = "Virus:DOS/EICAR_Test_File"

// EICAR returns the 68-byte EICAR test string, joined from its halves.
func EICAR() []byte {
	b := make([]byte, 0, len(eicarHead)+len(eicarTail))
	b = append(b, eicarHead...)
	return append(b, eicarTail...)
}

// IsEICAR reports whether content is the EICAR test file by the standard's
// rule: the string first, then only whitespace (space, tab, LF, CR,
// Ctrl-Z), 128 bytes at most in all.
func IsEICAR(content []byte) bool {
	if len(content) > EICARMaxSize || len(content) < len(eicarHead)+len(eicarTail) {
		return false
	}
	if !bytes.HasPrefix(content, []byte(eicarHead)) || !bytes.HasPrefix(content[len(eicarHead):], []byte(eicarTail)) {
		return false
	}
	for _, c := range content[len(eicarHead)+len(eicarTail):] {
		switch c {
		case ' ', '\t', '\n', '\r', 0x1a:
		default:
			return false
		}
	}
	return true
}

// WriteTestFile writes the EICAR test file (the string and a newline) into
// dir under a fresh name and returns its path. It is the harmless sample
// `goshawk-agent test-alert` drops for a running agent to detect.
func WriteTestFile(dir string) (string, error) {
	f, err := os.CreateTemp(dir, "goshawk-test-alert-*.com")
	if err != nil {
		return "", fmt.Errorf("create the test file in %q: %w", dir, err)
	}
	_, werr := f.Write(append(EICAR(), '\n'))
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write the test file %q: %w", f.Name(), firstErr(werr, cerr))
	}
	p, _ := filepath.Abs(f.Name())
	return p, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
