package respond

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"github.com/goshawk-sec/goshawk/agent/detect"
)

// ErrNotQuarantined is returned for a quarantine id the vault does not
// hold.
var ErrNotQuarantined = errors.New("no such quarantined file")

// ErrRestoreExists is returned when a file already exists at the path a
// quarantined file would be restored to.
var ErrRestoreExists = errors.New("a file exists at the original path")

// QuarantineEntry is the metadata kept beside a quarantined file (the
// JSON sidecar <id>.json).
type QuarantineEntry struct {
	ID           string    `json:"id"`
	OriginalPath string    `json:"originalPath"`
	Mode         uint32    `json:"mode"` // fs.FileMode bits
	UID          int       `json:"uid"`
	GID          int       `json:"gid"`
	ModTime      time.Time `json:"modTime"`
	AccessTime   time.Time `json:"accessTime"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	Threat       string    `json:"threat"`
	Quarantined  time.Time `json:"quarantined"`
	// KilledPIDs are the processes stopped because they ran or held the
	// file.
	KilledPIDs []int `json:"killedPids,omitempty"`
	// Key is the XOR key the content is stored under (hex).
	Key string `json:"key"`
}

// Vault keeps quarantined files in a 0700 directory of the agent's state:
// the content XOR-obfuscated under a per-file key with mode 0000 (so that
// it can neither run nor be matched by a scanner), the metadata in a JSON
// sidecar. It implements detect.Quarantiner.
type Vault struct {
	dir string
	now func() time.Time
}

// NewVault opens (creating) the vault directory dir.
func NewVault(dir string) (*Vault, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the quarantine %q: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("restrict the quarantine %q: %w", dir, err)
	}
	return &Vault{dir: dir, now: time.Now}, nil
}

// Dir is the vault's directory.
func (v *Vault) Dir() string { return v.dir }

var quarantineIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (v *Vault) paths(id string) (content, sidecar string) {
	return filepath.Join(v.dir, id+".bin"), filepath.Join(v.dir, id+".json")
}

// Quarantine moves path into the vault; with stop, the processes running
// or holding the file are killed first. See detect.Quarantiner.
func (v *Vault) Quarantine(ctx context.Context, path, threat string, stop bool) (string, error) {
	e, err := v.QuarantineFile(ctx, path, threat, stop)
	return e.ID, err
}

// QuarantineFile is Quarantine returning the whole entry.
func (v *Vault) QuarantineFile(ctx context.Context, path, threat string, stop bool) (QuarantineEntry, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return QuarantineEntry{}, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return QuarantineEntry{}, fmt.Errorf("quarantine %q: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return QuarantineEntry{}, fmt.Errorf("quarantine %q: not a regular file", path)
	}
	var killed []int
	if stop {
		if killed, err = killHolders(ctx, path); err != nil {
			return QuarantineEntry{}, fmt.Errorf("quarantine %q: stop the processes holding it: %w", path, err)
		}
	}
	var idb [16]byte
	key := make([]byte, 32)
	rand.Read(idb[:])
	rand.Read(key)
	id := hex.EncodeToString(idb[:])
	own := ownerOf(fi)
	e := QuarantineEntry{
		ID: id, OriginalPath: path, Mode: uint32(fi.Mode()),
		UID: own.uid, GID: own.gid, ModTime: fi.ModTime(), AccessTime: own.atime,
		Size: fi.Size(), Threat: threat, Quarantined: v.now().UTC(),
		KilledPIDs: killed, Key: hex.EncodeToString(key),
	}
	content, sidecar := v.paths(id)
	src, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return QuarantineEntry{}, fmt.Errorf("quarantine %q: %w", path, err)
	}
	defer src.Close()
	if sfi, err := src.Stat(); err != nil || !os.SameFile(fi, sfi) {
		return QuarantineEntry{}, fmt.Errorf("quarantine %q: the file changed while being quarantined", path)
	}
	h := sha256.New()
	if err := writeXOR(content, io.TeeReader(src, h), key); err != nil {
		return QuarantineEntry{}, fmt.Errorf("quarantine %q: %w", path, err)
	}
	e.SHA256 = hex.EncodeToString(h.Sum(nil))
	if err := writeJSON(sidecar, e); err != nil {
		os.Remove(content)
		return QuarantineEntry{}, fmt.Errorf("quarantine %q: %w", path, err)
	}
	// Remove the original only if the path still names the file copied.
	if cur, err := os.Lstat(path); err != nil || !os.SameFile(fi, cur) {
		os.Remove(content)
		os.Remove(sidecar)
		return QuarantineEntry{}, fmt.Errorf("quarantine %q: the file was replaced while being quarantined", path)
	}
	if err := os.Remove(path); err != nil {
		os.Remove(content)
		os.Remove(sidecar)
		return QuarantineEntry{}, fmt.Errorf("quarantine %q: remove the original: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return e, nil
}

// writeXOR writes r to path XORed with key, mode 0000, synced.
func writeXOR(path string, r io.Reader, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o000)
	if err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	var off int
	for {
		n, rerr := r.Read(buf)
		for i := 0; i < n; i++ {
			buf[i] ^= key[(off+i)%len(key)]
		}
		off += n
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				f.Close()
				os.Remove(path)
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			f.Close()
			os.Remove(path)
			return rerr
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	if f, err := os.Open(tmp); err == nil {
		f.Sync()
		f.Close()
	}
	return os.Rename(tmp, path)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Entry returns the metadata of a quarantined file.
func (v *Vault) Entry(id string) (QuarantineEntry, error) {
	var e QuarantineEntry
	if !quarantineIDRE.MatchString(id) {
		return e, fmt.Errorf("%w: %q", ErrNotQuarantined, id)
	}
	_, sidecar := v.paths(id)
	b, err := os.ReadFile(sidecar)
	if errors.Is(err, fs.ErrNotExist) {
		return e, fmt.Errorf("%w: %q", ErrNotQuarantined, id)
	}
	if err != nil {
		return e, fmt.Errorf("read quarantine entry %s: %w", id, err)
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("read quarantine entry %s: %w", id, err)
	}
	return e, nil
}

// List returns the vault's entries.
func (v *Vault) List() ([]QuarantineEntry, error) {
	des, err := os.ReadDir(v.dir)
	if err != nil {
		return nil, fmt.Errorf("list the quarantine: %w", err)
	}
	var out []QuarantineEntry
	for _, de := range des {
		id, ok := cutSuffix(de.Name(), ".json")
		if !ok || !quarantineIDRE.MatchString(id) {
			continue
		}
		if e, err := v.Entry(id); err == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) < len(suffix) || s[len(s)-len(suffix):] != suffix {
		return s, false
	}
	return s[:len(s)-len(suffix)], true
}

// Restore puts a quarantined file back at its original path with its
// mode, owner and times, checks its SHA256, and removes it from the vault.
// It refuses to overwrite a file that exists there.
func (v *Vault) Restore(id string) (QuarantineEntry, error) {
	e, err := v.Entry(id)
	if err != nil {
		return e, err
	}
	key, err := hex.DecodeString(e.Key)
	if err != nil || len(key) == 0 {
		return e, fmt.Errorf("restore %s: bad key in the sidecar", id)
	}
	if _, err := os.Lstat(e.OriginalPath); err == nil {
		return e, fmt.Errorf("restore %s to %q: %w", id, e.OriginalPath, ErrRestoreExists)
	}
	content, sidecar := v.paths(id)
	src, err := os.Open(content)
	if err != nil {
		return e, fmt.Errorf("restore %s: %w", id, err)
	}
	defer src.Close()
	dir := filepath.Dir(e.OriginalPath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return e, fmt.Errorf("restore %s: %w", id, err)
	}
	tmp, err := os.CreateTemp(dir, detect.RestoreTempPrefix+"*")
	if err != nil {
		return e, fmt.Errorf("restore %s: %w", id, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	h := sha256.New()
	buf := make([]byte, 64<<10)
	var off int
	for {
		n, rerr := src.Read(buf)
		for i := 0; i < n; i++ {
			buf[i] ^= key[(off+i)%len(key)]
		}
		off += n
		h.Write(buf[:n])
		if _, err := tmp.Write(buf[:n]); err != nil {
			tmp.Close()
			return e, fmt.Errorf("restore %s: %w", id, err)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			tmp.Close()
			return e, fmt.Errorf("restore %s: %w", id, rerr)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != e.SHA256 {
		tmp.Close()
		return e, fmt.Errorf("restore %s: content SHA256 %s, want %s", id, got, e.SHA256)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return e, fmt.Errorf("restore %s: %w", id, err)
	}
	tmp.Close()
	if err := restoreOwner(tmp.Name(), e.UID, e.GID); err != nil {
		return e, fmt.Errorf("restore %s: owner: %w", id, err)
	}
	if err := os.Chmod(tmp.Name(), fs.FileMode(e.Mode)&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return e, fmt.Errorf("restore %s: mode: %w", id, err)
	}
	if err := os.Chtimes(tmp.Name(), e.AccessTime, e.ModTime); err != nil {
		return e, fmt.Errorf("restore %s: times: %w", id, err)
	}
	// Link, not rename: it fails rather than replace a file created
	// meanwhile at the original path.
	if err := os.Link(tmp.Name(), e.OriginalPath); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return e, fmt.Errorf("restore %s to %q: %w", id, e.OriginalPath, ErrRestoreExists)
		}
		return e, fmt.Errorf("restore %s: %w", id, err)
	}
	syncDir(dir)
	os.Remove(content)
	os.Remove(sidecar)
	return e, nil
}

// Delete removes a quarantined file for good.
func (v *Vault) Delete(id string) error {
	if _, err := v.Entry(id); err != nil {
		return err
	}
	content, sidecar := v.paths(id)
	if err := os.Remove(content); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete quarantined %s: %w", id, err)
	}
	return os.Remove(sidecar)
}

type owner struct {
	uid, gid int
	atime    time.Time
}
