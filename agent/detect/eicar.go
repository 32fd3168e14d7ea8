package detect

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// The EICAR test string in two halves, the second stored reversed so
// that the linker cannot lay the halves out as the whole string in the
// agent's binary; see the package comment.
const (
	eicarHead         = `X5O!P%@AP[4\PZX54(P^)7CC)7}$`
	eicarTailReversed = `*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE`
)

// eicar is the joined string, built once at run time.
var eicar = func() []byte {
	b := make([]byte, 0, len(eicarHead)+len(eicarTailReversed))
	b = append(b, eicarHead...)
	for i := len(eicarTailReversed) - 1; i >= 0; i-- {
		b = append(b, eicarTailReversed[i])
	}
	return b
}()

// EICARMaxSize is the largest file the EICAR standard allows: the 68-byte
// string followed by whitespace up to 128 bytes in all.
const EICARMaxSize = 128

// EICARThreatName is the threat name Defender reports for the test file.
const EICARThreatName = "Virus:DOS/EICAR_Test_File"

// EICAR returns the 68-byte EICAR test string, joined from its halves.
func EICAR() []byte {
	return append([]byte(nil), eicar...)
}

// IsEICAR reports whether content is the EICAR test file by the standard's
// rule: the string first, then only whitespace (space, tab, LF, CR,
// Ctrl-Z), 128 bytes at most in all.
func IsEICAR(content []byte) bool {
	if len(content) > EICARMaxSize || !bytes.HasPrefix(content, eicar) {
		return false
	}
	for _, c := range content[len(eicar):] {
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
