package respond

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// pseudoFS are never scanned: kernel and runtime file systems.
var pseudoFS = []string{"/proc", "/sys", "/dev", "/run"}

// ScanResult sums up a scan.
type ScanResult struct {
	Scanned     int
	Detections  []string // paths
	Quarantined []string // quarantine ids
	Errors      int      // files that could not be read
}

// Scan walks roots (a full scan walks "/"), scanning every regular file
// for EICAR and the file indicators, alerting and remediating as the
// detector does, and emits a DeviceEvents AntivirusScanCompleted (or
// AntivirusScanCancelled) row.
func (r *Responder) Scan(ctx context.Context, roots []string, full bool) (ScanResult, error) {
	var res ScanResult
	skip := append(append([]string{r.cfg.StateDir}, r.cfg.ScanExclude...), pseudoFS...)
	excluded := func(p string) bool {
		for _, s := range skip {
			if p == s || strings.HasPrefix(p, strings.TrimSuffix(s, "/")+"/") {
				return true
			}
		}
		return false
	}
	start := r.now()
	var err error
	for _, root := range roots {
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, werr error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if werr != nil {
				res.Errors++
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if excluded(p) && p != root {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			res.Scanned++
			det, err := r.det.ScanFile(ctx, p, sensor.Process{})
			if err != nil {
				res.Errors++
				return nil
			}
			if det != nil {
				res.Detections = append(res.Detections, p)
				if det.QuarantineID != "" {
					res.Quarantined = append(res.Quarantined, det.QuarantineID)
				}
			}
			return nil
		})
		if err != nil {
			break
		}
	}
	action := "AntivirusScanCompleted"
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		action = "AntivirusScanCancelled"
	}
	scanType := "Custom"
	if full {
		scanType = "Full"
	}
	add := map[string]any{
		"ScanTypeIndex": scanType, "Paths": roots, "Scanned": res.Scanned,
		"Detections": len(res.Detections), "DurationSeconds": int(r.now().Sub(start) / time.Second),
	}
	r.out.Emit(agentproto.Event{Table: "DeviceEvents", Row: map[string]any{
		"Timestamp":        r.now().UTC().Format(time.RFC3339Nano),
		"ActionType":       action,
		"AdditionalFields": add,
	}})
	return res, err
}

func (r *Responder) scan(ctx context.Context, p map[string]string) (map[string]string, error) {
	full := p["full"] == "true"
	var roots []string
	if full {
		roots = []string{string(filepath.Separator)}
	} else {
		for _, s := range filepath.SplitList(p["paths"]) {
			if s = strings.TrimSpace(s); s != "" {
				if !filepath.IsAbs(s) {
					return nil, errors.New("scan: paths must be absolute, not " + strconv.Quote(s))
				}
				roots = append(roots, filepath.Clean(s))
			}
		}
		if len(roots) == 0 {
			return nil, errors.New(`scan: needs "paths" or "full"="true"`)
		}
	}
	res, err := r.Scan(ctx, roots, full)
	out := map[string]string{
		"scanned":     strconv.Itoa(res.Scanned),
		"detections":  strconv.Itoa(len(res.Detections)),
		"quarantined": strings.Join(res.Quarantined, ","),
		"errors":      strconv.Itoa(res.Errors),
	}
	if err != nil {
		return out, errors.New("scan: " + err.Error())
	}
	return out, nil
}
