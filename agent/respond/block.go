package respond

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// SetIndicators makes the Responder an IndicatorSink of the agent: the IP
// address indicators with the Block action in force are dropped in both
// directions by the nftables table inet goshawk_block (replaced as a
// whole; removed when none remain, including one left by an earlier run).
// The blocks are re-evaluated when the earliest expiry passes. A failure
// is kept for BlockError.
func (r *Responder) SetIndicators(ctx context.Context, set agentproto.IndicatorSet) {
	r.blockMu.Lock()
	defer r.blockMu.Unlock()
	r.blockSet = set
	r.applyBlocksLocked()
}

// BlockError reports why the IP blocks could not be installed (nil when
// they are), for health.
func (r *Responder) BlockError() error {
	r.blockMu.Lock()
	defer r.blockMu.Unlock()
	return r.blockErr
}

func (r *Responder) applyBlocksLocked() {
	if r.blockTimer != nil {
		r.blockTimer.Stop()
		r.blockTimer = nil
	}
	now := r.now()
	var addrs []netip.Addr
	var next time.Time
	for _, ind := range r.blockSet.Indicators {
		if ind.Type != agentproto.IndicatorIPAddress || ind.Action != agentproto.ActionBlock {
			continue
		}
		if !ind.Expires.IsZero() {
			if !now.Before(ind.Expires) {
				continue
			}
			if next.IsZero() || ind.Expires.Before(next) {
				next = ind.Expires
			}
		}
		a, err := netip.ParseAddr(ind.Value)
		if err != nil || slices.Contains(addrs, a.Unmap()) {
			continue
		}
		addrs = append(addrs, a.Unmap())
	}
	if !next.IsZero() {
		r.blockTimer = time.AfterFunc(next.Sub(now)+10*time.Millisecond, func() {
			r.blockMu.Lock()
			defer r.blockMu.Unlock()
			r.applyBlocksLocked()
		})
	}
	if r.blocksApplied && slices.Equal(addrs, r.blocked) {
		return
	}
	r.blockErr = applyBlocks(r.cfg.NetNSPath, addrs)
	if r.blockErr == nil {
		r.blocked, r.blocksApplied = addrs, true
	}
}

// Close stops the expiry timer of the IP blocks; the blocks stay.
func (r *Responder) Close() {
	r.blockMu.Lock()
	defer r.blockMu.Unlock()
	if r.blockTimer != nil {
		r.blockTimer.Stop()
		r.blockTimer = nil
	}
}
