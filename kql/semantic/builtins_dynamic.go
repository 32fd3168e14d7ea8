package semantic

import "github.com/goshawk-sec/goshawk/kql/types"

// Dynamic arrays, property bags and sets.
func init() {
	const (
		B = types.Bool
		L = types.Long
		R = types.Real
		D = types.Dynamic
	)
	v := -1
	scalar("array_iff", 3, 3, fixed(D), "array_iif")
	scalar("array_index_of", 2, 5, fixed(L))
	scalar("array_reverse", 1, 1, fixed(D))
	scalar("array_rotate_left", 2, 2, fixed(D))
	scalar("array_rotate_right", 2, 2, fixed(D))
	scalar("array_shift_left", 2, 3, fixed(D))
	scalar("array_shift_right", 2, 3, fixed(D))
	scalar("array_split", 2, 2, fixed(D))
	scalar("array_sort_asc", 1, v, fixed(D))
	scalar("array_sort_desc", 1, v, fixed(D))
	scalar("set_has_element", 2, 2, fixed(B))
	scalar("set_union", 1, v, fixed(D))
	scalar("set_intersect", 1, v, fixed(D))
	scalar("set_difference", 1, v, fixed(D))
	scalar("jaccard_index", 2, 2, fixed(R))
	scalar("bag_remove_keys", 2, 2, fixed(D))
	scalar("zip", 2, v, fixed(D))
	scalar("array_sum", 1, 1, fixed(R))
	scalar("treepath", 1, 1, fixed(D))
	aggregate("make_bag_if", 2, 3, fixed(D))
}
