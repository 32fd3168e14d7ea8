package collect

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestExecArgs(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{`argc=2 a0="/bin/true" a1="x"`, []string{"/bin/true", "x"}},
		// Blanks and quotes are hex encoded.
		{`argc=2 a0="sh" a1=74776F20776F726473`, []string{"sh", "two words"}},
		// Long arguments come in numbered pieces.
		{`argc=2 a0="cat" a1_len=6 a1[0]=616263 a1[1]="def"`, []string{"cat", "abcdef"}},
		{`argc=1 a0=""`, []string{""}},
		// An argument that happens to look like hex is hex: the kernel
		// quotes plain text.
		{`argc=2 a0="echo" a1=4142`, []string{"echo", "AB"}},
	} {
		if got := execArgs(auditFields(c.text)); !slices.Equal(got, c.want) {
			t.Errorf("execArgs(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestAuditFieldsUserMessage(t *testing.T) {
	f := auditFields(`pid=42 uid=0 auid=1000 ses=3 msg='op=PAM:authentication grantors=? acct="alice" exe="/usr/sbin/sshd" hostname=10.0.0.5 addr=10.0.0.5 terminal=ssh res=failed'`)
	for k, want := range map[string]string{"pid": "42", "ses": "3", "hostname": "10.0.0.5", "op": "PAM:authentication", "acct": "alice",
		"exe": "/usr/sbin/sshd", "addr": "10.0.0.5", "terminal": "ssh", "res": "failed"} {
		if got := auditString(f, k); got != want {
			t.Errorf("field %s = %q, want %q", k, got, want)
		}
	}
}

func TestParseAuditHeader(t *testing.T) {
	r, ok := parseAuditHeader(1300, []byte("audit(1700000000.123:456): arch=c000003e syscall=59\x00"))
	if !ok || r.serial != 456 || r.timeNS != 1700000000123000000 || r.text != "arch=c000003e syscall=59" {
		t.Errorf("parseAuditHeader = %+v, %v", r, ok)
	}
	if _, ok := parseAuditHeader(1300, []byte("garbage")); ok {
		t.Error("parseAuditHeader(garbage) succeeded")
	}
}

// FuzzAuditRecord: kernel and PAM text must never crash the parsers.
func FuzzAuditRecord(f *testing.F) {
	f.Add([]byte(`audit(1700000000.123:456): argc=2 a0="sh" a1_len=4 a1[0]=7A7A a1[1]="zz"`))
	f.Add([]byte(`audit(1.2:3): msg='op=login acct="x" res=success'`))
	f.Add([]byte(`audit(1.2:3): a=" b=' c`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, ok := parseAuditHeader(1309, data)
		if !ok {
			return
		}
		fs := auditFields(r.text)
		fs["argc"] = "3"
		_ = execArgs(fs)
		for k := range fs {
			_ = auditString(fs, k)
		}
	})
}

// TestProcessLongArgument: the kernel splits an argument longer than its
// record limit; the command line joins it back.
func TestProcessLongArgument(t *testing.T) {
	rec := start(t, NewProcess(Config{}), 300*time.Millisecond)
	long := fmt.Sprintf("goshawk-long-%d-%s", time.Now().UnixNano(), strings.Repeat("x", 20000))
	if err := exec.Command("/bin/sh", "-c", `/bin/true "$0"; exit 0`, long).Run(); err != nil {
		t.Fatal(err)
	}
	rec.await(t, "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "/bin/true " + long}, 5*time.Second)
}

// TestStaleRuleRemoved: a rule left by an agent that died is removed when
// the next one starts.
func TestStaleRuleRemoved(t *testing.T) {
	if os.Geteuid() != 0 {
		missing(t, "audit rules need root")
	}
	c, err := openAudit()
	if err != nil {
		missing(t, err.Error())
	}
	defer c.Close()
	dead := exec.Command("/bin/true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	rule, err := execRuleKeyed(execRuleKey + strconv.Itoa(dead.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.request(auditAddRule, rule); err != nil {
		t.Fatalf("add rule: %v", err)
	}
	c.removeStaleRules()
	if _, err := c.request(auditDelRule, rule); err == nil {
		t.Error("the dead agent's rule was still installed")
	}
}
