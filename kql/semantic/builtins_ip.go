package semantic

import "github.com/goshawk-sec/goshawk/kql/types"

// IP address functions of the catalogue.
func init() {
	const (
		B = types.Bool
		L = types.Long
		S = types.String
	)
	v := -1

	scalar("parse_ipv4", 1, 1, fixed(L))
	scalar("parse_ipv4_mask", 2, 2, fixed(L))
	scalar("ipv4_is_private", 1, 1, fixed(B))
	scalar("ipv4_is_in_range", 2, 2, fixed(B))
	scalar("ipv4_is_in_any_range", 2, v, fixed(B))
	scalar("ipv4_is_match", 2, 3, fixed(B))
	scalar("ipv4_compare", 2, 3, fixed(L))
	scalar("ipv4_netmask_suffix", 1, 1, fixed(L))
	scalar("format_ipv4", 1, 2, fixed(S))
	scalar("format_ipv4_mask", 1, 2, fixed(S))
	scalar("has_ipv4", 2, 2, fixed(B))
	scalar("has_ipv4_prefix", 2, 2, fixed(B))
	scalar("has_any_ipv4", 2, v, fixed(B))
	scalar("has_any_ipv4_prefix", 2, v, fixed(B))
	scalar("parse_ipv6", 1, 1, fixed(S))
	scalar("parse_ipv6_mask", 2, 2, fixed(S))
	scalar("ipv6_compare", 2, 3, fixed(L))
	scalar("ipv6_is_match", 2, 3, fixed(B))
	scalar("ipv6_is_in_range", 2, 2, fixed(B))
	scalar("ipv6_is_in_any_range", 2, v, fixed(B))
}
