package semantic

import "github.com/goshawk-sec/goshawk/kql/types"

// Geospatial functions (Kusto geo_*). Signatures follow Kusto.Language;
// they are implemented as Go UDFs (query/udf/geo*.go).
func init() {
	const (
		B = types.Bool
		I = types.Int
		R = types.Real
		S = types.String
		D = types.Dynamic
	)
	scalar("geo_distance_2points", 4, 5, fixed(R))
	scalar("geo_angle", 6, 7, fixed(R))
	scalar("geo_azimuth", 4, 5, fixed(R))
	scalar("geo_point_in_circle", 5, 5, fixed(B))
	scalar("geo_point_buffer", 3, 4, fixed(D))

	scalar("geo_point_to_s2cell", 2, 3, fixed(S))
	scalar("geo_s2cell_to_central_point", 1, 1, fixed(D))
	scalar("geo_s2cell_to_polygon", 1, 1, fixed(D))
	scalar("geo_s2cell_neighbors", 1, 1, fixed(D))

	scalar("geo_point_to_h3cell", 2, 3, fixed(S))
	scalar("geo_h3cell_parent", 1, 2, fixed(S))
	scalar("geo_h3cell_children", 1, 2, fixed(D))
	scalar("geo_h3cell_level", 1, 1, fixed(I))
	scalar("geo_h3cell_rings", 2, 2, fixed(D))
	scalar("geo_h3cell_neighbors", 1, 1, fixed(D))
	scalar("geo_h3cell_to_central_point", 1, 1, fixed(D))
	scalar("geo_h3cell_to_polygon", 1, 1, fixed(D))
	scalar("geo_polygon_to_h3cells", 1, 2, fixed(D))

	scalar("geo_point_to_geohash", 2, 3, fixed(S))
	scalar("geo_geohash_to_central_point", 1, 1, fixed(D))
	scalar("geo_geohash_to_polygon", 1, 1, fixed(D))
	scalar("geo_geohash_neighbors", 1, 1, fixed(D))

	scalar("geo_point_in_polygon", 3, 3, fixed(B))
	scalar("geo_distance_point_to_polygon", 3, 3, fixed(R))
	scalar("geo_closest_point_on_polygon", 3, 3, fixed(D))
	scalar("geo_distance_point_to_line", 3, 3, fixed(R))
	scalar("geo_closest_point_on_line", 3, 3, fixed(D))
	scalar("geo_polygon_area", 1, 1, fixed(R))
	scalar("geo_polygon_perimeter", 1, 1, fixed(R))
	scalar("geo_line_length", 1, 1, fixed(R))
	scalar("geo_line_locate_point", 3, 3, fixed(R))
	scalar("geo_line_densify", 1, 3, fixed(D))
	scalar("geo_polygon_densify", 1, 3, fixed(D))
	scalar("geo_line_simplify", 1, 2, fixed(D))
	scalar("geo_polygon_simplify", 1, 2, fixed(D))
	scalar("geo_intersects_2lines", 2, 2, fixed(B))
	scalar("geo_intersects_2polygons", 2, 2, fixed(B))
	scalar("geo_intersects_line_with_polygon", 2, 2, fixed(B))
	scalar("geo_intersection_line_with_polygon", 2, 2, fixed(D))
	scalar("geo_intersection_2lines", 2, 2, fixed(D))
	scalar("geo_intersection_2polygons", 2, 2, fixed(D))
	scalar("geo_union_polygons_array", 1, 1, fixed(D))
	scalar("geo_union_lines_array", 1, 1, fixed(D))
	scalar("geo_line_buffer", 2, 3, fixed(D))
	scalar("geo_polygon_buffer", 2, 3, fixed(D))
	scalar("geo_polygon_to_s2cells", 1, 2, fixed(D))
	scalar("geo_from_wkt", 1, 1, fixed(D))
}
