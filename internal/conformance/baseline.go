package conformance

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// KnownWrongFile is the name of the known-wrong list, which CheckBaseline
// reads from the baseline's directory.
const KnownWrongFile = "conformance-known-wrong.txt"

// KnownWrongPath returns the path of the known-wrong list that belongs to
// the baseline at baselinePath: KnownWrongFile in the same directory.
func KnownWrongPath(baselinePath string) string {
	return filepath.Join(filepath.Dir(baselinePath), KnownWrongFile)
}

// CheckBaseline holds the run to the baseline file at path, which lists one
// passing case id per line, sorted. It first marks the cases of the
// known-wrong list beside the baseline (KnownWrongPath), which are never
// counted. Without update it returns an error naming every baseline case
// that no longer passes, with its stage and error, and every baseline id
// that is no longer a case: the pass count may only go up. New passes are
// not an error; they enter the baseline when it is rewritten. With update
// it rewrites the baseline with the cases that pass now. A missing baseline
// is an empty one.
func CheckBaseline(report Report, path string, update bool) error {
	knownWrong, err := LoadKnownWrong(KnownWrongPath(path))
	if err != nil {
		return err
	}
	report = report.WithKnownWrong(knownWrong)
	if update {
		return writeIDs(path, report.Passing())
	}
	baseline, err := readIDs(path)
	if err != nil {
		return err
	}
	var lost, gone []string
	for _, id := range baseline {
		o, ok := report.Outcome(id)
		switch {
		case !ok:
			gone = append(gone, id)
		case o.KnownWrong != "":
			// Listed as wrong since it entered the baseline: not counted.
		case !o.Pass:
			lost = append(lost, fmt.Sprintf("%s [%s]: %s", id, o.Stage, firstLine(o.Err)))
		}
	}
	if len(lost) == 0 && len(gone) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "conformance baseline %s: the pass count may only go up", path)
	if len(lost) > 0 {
		fmt.Fprintf(&b, "\n%d case(s) of the baseline no longer pass:", len(lost))
		for _, l := range lost {
			b.WriteString("\n  " + l)
		}
	}
	if len(gone) > 0 {
		fmt.Fprintf(&b, "\n%d case(s) of the baseline are no longer in the cases: %s", len(gone), strings.Join(gone, ", "))
	}
	b.WriteString("\nfix the regression, or after review rewrite the baseline with the update flag")
	return errors.New(b.String())
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// LoadKnownWrong reads a known-wrong list: lines "id<TAB>reason" naming
// cases whose documented output is wrong. Blank lines and lines starting
// with # are ignored. A missing file is an empty list.
func LoadKnownWrong(path string) (map[string]string, error) {
	out := make(map[string]string)
	err := readLines(path, func(n int, line string) error {
		id, reason, ok := strings.Cut(line, "\t")
		id, reason = strings.TrimSpace(id), strings.TrimSpace(reason)
		if !ok || id == "" || reason == "" {
			return fmt.Errorf("%s:%d: want \"id<TAB>reason\", got %q", path, n, line)
		}
		if _, dup := out[id]; dup {
			return fmt.Errorf("%s:%d: case %q is listed twice", path, n, id)
		}
		out[id] = reason
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load known-wrong list: %w", err)
	}
	return out, nil
}

// readIDs reads a baseline: one id per line.
func readIDs(path string) ([]string, error) {
	var ids []string
	err := readLines(path, func(n int, line string) error {
		if strings.ContainsAny(line, " \t") {
			return fmt.Errorf("%s:%d: want one case id, got %q", path, n, line)
		}
		ids = append(ids, line)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read conformance baseline: %w", err)
	}
	return ids, nil
}

// readLines calls fn for each line of path that is neither blank nor a #
// comment, trimmed of surrounding spaces. A missing file has no lines.
func readLines(path string, fn func(n int, line string) error) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return sc.Err()
}

// writeIDs replaces the file at path with the sorted ids, one per line,
// through a temporary file so that a failed write leaves the old one.
func writeIDs(path string, ids []string) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write conformance baseline: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".baseline-*")
	if err != nil {
		return fmt.Errorf("write conformance baseline: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	for _, id := range ids {
		w.WriteString(id)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write conformance baseline: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write conformance baseline: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write conformance baseline: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write conformance baseline: %w", err)
	}
	return nil
}
