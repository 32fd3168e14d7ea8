package respond

import (
	"context"
	"slices"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// SetIndicators makes the Responder the agent's IndicatorSink: the set
// goes to the detector, which matches files and connections against it,
// and the addresses of indicators with the Block action in force are
// dropped in both directions by the nftables table inet goshawk_block
// (replaced as a whole; removed when none remain, including one left by
// an earlier run). Those are the IP address indicators' and the addresses
// the detector resolved domain and URL indicators' host names to; call
// RefreshBlocks when that resolution changes. The blocks are re-evaluated
// when the earliest expiry passes. A failure is kept for BlockError.
func (r *Responder) SetIndicators(ctx context.Context, set agentproto.IndicatorSet) {
	r.det.SetIndicators(ctx, set)
	r.RefreshBlocks()
}

// RefreshBlocks installs the blocks the detector's indicators call for now.
func (r *Responder) RefreshBlocks() {
	r.blockMu.Lock()
	defer r.blockMu.Unlock()
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
	addrs, next := r.det.Indicators().BlockAddrs()
	if !next.IsZero() {
		r.blockTimer = time.AfterFunc(next.Sub(r.now())+10*time.Millisecond, func() {
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
