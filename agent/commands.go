package agent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/goshawk-sec/goshawk/agent/transport"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// maxRemembered bounds the reported command IDs kept to ignore
// redeliveries.
const maxRemembered = 1024

// commandLoop long-polls for commands and runs each on its own goroutine.
func (a *Agent) commandLoop(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		cmds, err := a.srv.Commands(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if failures == 0 {
				a.log.Warn("agent: poll for commands", "err", err)
			}
			sleep(ctx, transport.Backoff(failures, time.Second, time.Minute))
			failures++
			continue
		}
		failures = 0
		for _, cmd := range cmds {
			a.mu.Lock()
			seen := a.inflight[cmd.ID]
			a.inflight[cmd.ID] = true
			a.mu.Unlock()
			if seen {
				continue
			}
			go a.runCommand(ctx, cmd)
		}
	}
}

func (a *Agent) runCommand(ctx context.Context, cmd agentproto.Command) {
	a.log.Info("agent: command", "id", cmd.ID, "type", cmd.Type, "issuedBy", cmd.IssuedBy)
	res := a.dispatch(ctx, cmd)
	res.ID = cmd.ID
	if res.Status == "" {
		res.Status = agentproto.StatusSucceeded
	}
	if path := res.Output["package"]; res.Status == agentproto.StatusSucceeded && path != "" && a.parts.Upload != nil {
		if err := a.parts.Upload(ctx, cmd.ID, path); err != nil {
			res.Status, res.Message = agentproto.StatusFailed, fmt.Sprintf("upload the package: %v", err)
		} else {
			// Delivered: the server keeps it now.
			os.Remove(path)
		}
	}
	if res.Finished.IsZero() {
		res.Finished = time.Now().UTC()
	}
	for attempt := 0; ; attempt++ {
		err := a.srv.CommandResult(ctx, res)
		if err == nil || ctx.Err() != nil {
			break
		}
		a.log.Warn("agent: report a command result", "id", cmd.ID, "err", err)
		var se *transport.StatusError
		if errors.As(err, &se) && !se.Transient() && se.Status != http.StatusUnauthorized {
			// The server will not take it (an unknown or expired
			// command): retrying cannot help.
			break
		}
		if !sleep(ctx, transport.Backoff(attempt, time.Second, time.Minute)) {
			break
		}
	}
	a.mu.Lock()
	a.done = append(a.done, cmd.ID)
	if len(a.done) > maxRemembered {
		delete(a.inflight, a.done[0])
		a.done = a.done[1:]
	}
	a.mu.Unlock()
}

// dispatch runs cmd through its handler. refresh_indicators is built in
// unless a handler claims it; an unknown type fails.
func (a *Agent) dispatch(ctx context.Context, cmd agentproto.Command) (res agentproto.CommandResult) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("agent: bug: command handler panicked", "type", cmd.Type, "panic", r, "stack", string(debug.Stack()))
			res = agentproto.CommandResult{Status: agentproto.StatusFailed, Message: fmt.Sprintf("the agent's %s handler failed unexpectedly", cmd.Type)}
		}
	}()
	if h, ok := a.handlers[cmd.Type]; ok {
		return h.Handle(ctx, cmd)
	}
	if cmd.Type == agentproto.CommandRefreshIndicators {
		if err := a.refreshIndicators(ctx); err != nil {
			return agentproto.CommandResult{Status: agentproto.StatusFailed, Message: err.Error()}
		}
		return agentproto.CommandResult{Status: agentproto.StatusSucceeded}
	}
	return agentproto.CommandResult{Status: agentproto.StatusFailed, Message: fmt.Sprintf("this agent does not support command type %q", cmd.Type)}
}
