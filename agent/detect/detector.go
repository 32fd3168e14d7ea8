package detect

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// Quarantiner remediates a detected file. The respond package's Vault
// implements it.
type Quarantiner interface {
	// Quarantine moves the file at path out of reach and returns the
	// quarantine id restore_file takes. With stop, the processes running
	// the file or holding it open are killed first. threat names the
	// detection in the quarantine's metadata.
	Quarantine(ctx context.Context, path, threat string, stop bool) (id string, err error)
}

// Config configures a Detector.
type Config struct {
	// MaxHashBytes bounds the files hashed for indicators and evidence;
	// larger files are not matched against hash indicators. Default 64 MiB.
	MaxHashBytes int64
	// Exclude lists path prefixes never scanned: the agent's state
	// directory at least (quarantined content lives there).
	Exclude []string
	// QueueSize bounds the files waiting to be scanned; FileWritten drops
	// and counts beyond it. Default 4096.
	QueueSize int
	// Resolver resolves the host names of domain and URL indicators
	// (default net.DefaultResolver), every ResolveInterval (default 5
	// minutes) and whenever the indicators change; OnResolved, when set,
	// is called after each resolution (the responder re-installs blocks).
	Resolver        Resolver
	ResolveInterval time.Duration
	OnResolved      func()
	// AlertInterval is how long a connection from the same image to the
	// same indicator address stays quiet after an alert (default 1 hour).
	AlertInterval time.Duration
}

func (c Config) withDefaults() Config {
	if c.MaxHashBytes <= 0 {
		c.MaxHashBytes = 64 << 20
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 4096
	}
	if c.Resolver == nil {
		c.Resolver = net.DefaultResolver
	}
	if c.ResolveInterval <= 0 {
		c.ResolveInterval = 5 * time.Minute
	}
	if c.AlertInterval <= 0 {
		c.AlertInterval = time.Hour
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	for _, p := range c.Exclude {
		if !filepath.IsAbs(p) {
			return fmt.Errorf("detect: exclusion %q is not an absolute path", p)
		}
	}
	return nil
}

// Detection is one file found malicious.
type Detection struct {
	Path   string
	Size   int64
	SHA256 string
	SHA1   string
	MD5    string
	// ThreatName is the AV-style name ("Virus:DOS/EICAR_Test_File") or,
	// for an indicator, its title.
	ThreatName string
	// Indicator is set when a custom indicator matched.
	Indicator *agentproto.Indicator
	// By is the process that wrote the file, when known.
	By sensor.Process
	// AlertID is the AlertId of the rows raised for it.
	AlertID string
	// QuarantineID is set once the file is quarantined; QuarantineErr
	// says why it was not, when it should have been.
	QuarantineID  string
	QuarantineErr error
}

// Remediate reports whether the detection calls for quarantine, and
// whether processes running or holding the file must be stopped first.
func (d *Detection) Remediate() (quarantine, stop bool) {
	if d.Indicator == nil {
		return true, false // EICAR: quarantine, as Defender does
	}
	if d.Indicator.Action == agentproto.ActionBlock {
		return true, true
	}
	return false, false
}

// Detector scans written files; see the package comment.
type Detector struct {
	cfg   Config
	out   sensor.Emitter
	q     Quarantiner
	inds  *Indicators
	queue chan job
	now   func() time.Time

	allowMu sync.Mutex
	allowed map[string]string // path → SHA256 of a restored file

	// resolveNow asks Run to resolve indicator host names now.
	resolveNow chan struct{}
	netMu      sync.Mutex
	netAlerted map[string]time.Time // indicator|image|address → last alert

	dropped  atomic.Int64
	scanned  atomic.Int64
	detected atomic.Int64
}

type job struct {
	path string
	by   sensor.Process
}

// New returns a Detector emitting alerts to out and remediating through q
// (nil: detect and alert only). Start Run on the agent's run group.
func New(cfg Config, out sensor.Emitter, q Quarantiner) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Detector{
		cfg:     cfg,
		out:     out,
		q:       q,
		inds:    NewIndicators(),
		queue:   make(chan job, cfg.QueueSize),
		allowed: map[string]string{},
		now:     time.Now,

		resolveNow: make(chan struct{}, 1),
		netAlerted: map[string]time.Time{},
	}, nil
}

// Indicators returns the Detector's indicator set, for the agent to update
// and the network collector to match against.
func (d *Detector) Indicators() *Indicators { return d.inds }

// Stats reports the files scanned, detections and files dropped because
// the queue was full.
func (d *Detector) Stats() (scanned, detected, dropped int64) {
	return d.scanned.Load(), d.detected.Load(), d.dropped.Load()
}

// SetIndicators replaces the custom indicators (the agent's
// IndicatorSink).
func (d *Detector) SetIndicators(ctx context.Context, set agentproto.IndicatorSet) {
	d.inds.Set(set)
	select {
	case d.resolveNow <- struct{}{}:
	default:
	}
}

// Allow exempts the file at path while its content has the given SHA256:
// a file restored from quarantine is not detected again, as Defender
// treats a restore as allowing the file. A different content at the path
// is scanned as usual.
func (d *Detector) Allow(path, sha256 string) {
	d.allowMu.Lock()
	d.allowed[path] = strings.ToLower(sha256)
	d.allowMu.Unlock()
}

// RestoreTempPrefix begins the name of the temporary file a restore
// writes beside the original path before linking it into place; such a
// file is allowed when its content is that of any allowed file.
const RestoreTempPrefix = ".goshawk-restore-"

func (d *Detector) isAllowed(path, sha256 string) bool {
	if sha256 == "" {
		return false
	}
	d.allowMu.Lock()
	defer d.allowMu.Unlock()
	if want, ok := d.allowed[path]; ok {
		return want == sha256
	}
	if strings.HasPrefix(filepath.Base(path), RestoreTempPrefix) {
		for _, sum := range d.allowed {
			if sum == sha256 {
				return true
			}
		}
	}
	return false
}

// FileWritten queues path for scanning; it never blocks.
func (d *Detector) FileWritten(ctx context.Context, path string, by sensor.Process) {
	if d.excluded(path) {
		return
	}
	select {
	case d.queue <- job{path, by}:
	default:
		d.dropped.Add(1)
	}
}

// ProcessStarted is for the process collector: when the image's hashes
// (as p carries them) match a file indicator, the image is queued for
// scanning, which alerts and, for a Block indicator, quarantines the image
// after killing the processes running it. It never blocks.
func (d *Detector) ProcessStarted(ctx context.Context, p sensor.Process) {
	if p.Path == "" {
		return
	}
	if _, ok := d.inds.MatchFile(p.SHA256, p.SHA1, p.MD5); ok {
		d.FileWritten(ctx, p.Path, p)
	}
}

// Run scans queued files and resolves indicator host names until ctx
// ends.
func (d *Detector) Run(ctx context.Context) error {
	resolved := make(chan struct{}, 1)
	go func() {
		tick := time.NewTicker(d.cfg.ResolveInterval)
		defer tick.Stop()
		defer close(resolved)
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-d.resolveNow:
			}
			d.resolve(ctx)
		}
	}()
	defer func() { <-resolved }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case j := <-d.queue:
			// A file gone before its turn (deleted, renamed, already
			// quarantined) is no error worth reporting.
			d.ScanFile(ctx, j.path, j.by)
		}
	}
}

func (d *Detector) excluded(path string) bool {
	for _, p := range d.cfg.Exclude {
		if path == p || strings.HasPrefix(path, strings.TrimSuffix(p, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// ScanFile scans one file now and, when it is malicious, alerts and
// remediates. It returns nil and no error for a clean file, and an error
// when the file could not be read.
func (d *Detector) ScanFile(ctx context.Context, path string, by sensor.Process) (*Detection, error) {
	if d.excluded(path) {
		return nil, nil
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("scan %q: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil
	}
	d.scanned.Add(1)
	if fi.Size() > EICARMaxSize && !d.inds.HasFileHashes() {
		return nil, nil // too long for EICAR, nothing to hash for
	}
	// Non-blocking, and checked to be the file Lstat saw: a FIFO swapped
	// in meanwhile must not hang the scanner.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("scan %q: %w", path, err)
	}
	defer f.Close()
	if ffi, err := f.Stat(); err != nil || !os.SameFile(fi, ffi) {
		return nil, nil // replaced since Lstat: its own event follows
	}
	det := &Detection{Path: path, Size: fi.Size(), By: by}
	if fi.Size() <= EICARMaxSize {
		head := make([]byte, EICARMaxSize+1)
		n, err := io.ReadFull(f, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("scan %q: %w", path, err)
		}
		if IsEICAR(head[:n]) {
			det.ThreatName = EICARThreatName
		}
	}
	hashes := det.ThreatName != "" || d.inds.HasFileHashes()
	if hashes && fi.Size() <= d.cfg.MaxHashBytes {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("scan %q: %w", path, err)
		}
		if err := det.hash(f); err != nil {
			return nil, fmt.Errorf("scan %q: %w", path, err)
		}
		if det.ThreatName == "" {
			if ind, ok := d.inds.MatchFile(det.SHA256, det.SHA1, det.MD5); ok {
				det.Indicator = &ind
				det.ThreatName = ind.Title
				if det.ThreatName == "" {
					det.ThreatName = ind.Type + " " + ind.Value
				}
			}
		}
	}
	f.Close()
	if det.ThreatName == "" || d.isAllowed(path, det.SHA256) {
		return nil, nil
	}
	d.detected.Add(1)
	d.handle(ctx, det)
	return det, nil
}

func (det *Detection) hash(r io.Reader) error {
	h256, h1, h5 := sha256.New(), sha1.New(), md5.New()
	if _, err := io.Copy(io.MultiWriter(h256, h1, h5), r); err != nil {
		return err
	}
	det.SHA256 = hex.EncodeToString(h256.Sum(nil))
	det.SHA1 = hex.EncodeToString(h1.Sum(nil))
	det.MD5 = hex.EncodeToString(h5.Sum(nil))
	return nil
}

// handle raises the alert, then remediates and records the outcome in a
// DeviceEvents row.
func (d *Detector) handle(ctx context.Context, det *Detection) {
	now := d.now().UTC()
	det.AlertID = newAlertID(now)
	for _, ev := range alertEvents(det, now) {
		d.out.Emit(ev)
	}
	if quarantine, stop := det.Remediate(); quarantine {
		if d.q == nil {
			det.QuarantineErr = errors.New("no quarantine configured")
		} else {
			det.QuarantineID, det.QuarantineErr = d.q.Quarantine(ctx, det.Path, det.ThreatName, stop)
		}
	}
	d.out.Emit(detectionEvent(det, d.now().UTC()))
}
