package semantic

import "github.com/goshawk-sec/goshawk/kql/types"

// Scalar functions used by the operators and examples this file's
// siblings lower (around, assert).
func init() {
	// around(value, center, delta): center-delta <= value <= center+delta.
	scalar("around", 3, 3, fixed(types.Bool))
	// assert(condition, message): true, or the query fails with message.
	scalar("assert", 2, 2, fixed(types.Bool))
}
