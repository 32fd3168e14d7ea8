package duckdb

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// The geospatial functions are Go UDFs (query/udf/geo*.go) named
// kql_<function>. geoSpec describes how each argument is passed: r DOUBLE,
// i BIGINT, s VARCHAR, d dynamic as JSON text, b BOOLEAN (null: false); optional arguments missing
// from the call get the SQL in defaults. Arguments beyond the spec
// (use_spheroid flags) are not passed. Results: r DOUBLE, i INTEGER,
// l BIGINT, b BOOLEAN, s VARCHAR, d JSON text cast to JSON.
type geoSpec struct {
	args     string
	defaults []string // for the trailing optional arguments
	result   byte
}

var geoFuncs = map[string]geoSpec{
	"geo_distance_2points":         {"rrrrb", []string{"false"}, 'r'},
	"geo_angle":                    {"rrrrrrb", []string{"false"}, 'r'},
	"geo_azimuth":                  {"rrrrb", []string{"false"}, 'r'},
	"geo_point_buffer":             {"rrrr", []string{"10.0"}, 'd'},
	"geo_point_in_circle":          {"rrrrr", nil, 'b'},
	"geo_point_to_s2cell":          {"rri", []string{"11"}, 's'},
	"geo_s2cell_to_central_point":  {"s", nil, 'd'},
	"geo_s2cell_to_polygon":        {"s", nil, 'd'},
	"geo_s2cell_neighbors":         {"s", nil, 'd'},
	"geo_point_to_h3cell":          {"rri", []string{"6"}, 's'},
	"geo_h3cell_parent":            {"si", []string{"-1"}, 's'},
	"geo_h3cell_children":          {"si", []string{"-1"}, 'd'},
	"geo_h3cell_level":             {"s", nil, 'i'},
	"geo_h3cell_rings":             {"si", nil, 'd'},
	"geo_h3cell_neighbors":         {"s", nil, 'd'},
	"geo_h3cell_to_central_point":  {"s", nil, 'd'},
	"geo_polygon_to_h3cells":       {"di", []string{"6"}, 'd'},
	"geo_h3cell_to_polygon":        {"s", nil, 'd'},
	"geo_point_to_geohash":         {"rri", []string{"5"}, 's'},
	"geo_geohash_to_central_point": {"s", nil, 'd'},
	"geo_geohash_to_polygon":       {"s", nil, 'd'},
	"geo_geohash_neighbors":        {"s", nil, 'd'},

	"geo_point_in_polygon":               {"rrd", nil, 'b'},
	"geo_distance_point_to_polygon":      {"rrd", nil, 'r'},
	"geo_closest_point_on_polygon":       {"rrd", nil, 'd'},
	"geo_distance_point_to_line":         {"rrd", nil, 'r'},
	"geo_closest_point_on_line":          {"rrd", nil, 'd'},
	"geo_polygon_area":                   {"d", nil, 'r'},
	"geo_polygon_perimeter":              {"d", nil, 'r'},
	"geo_line_length":                    {"d", nil, 'r'},
	"geo_line_locate_point":              {"drr", nil, 'r'},
	"geo_line_densify":                   {"dr", []string{"10.0"}, 'd'},
	"geo_polygon_densify":                {"dr", []string{"10.0"}, 'd'},
	"geo_line_simplify":                  {"dr", []string{"10.0"}, 'd'},
	"geo_polygon_simplify":               {"dr", []string{"10.0"}, 'd'},
	"geo_intersects_2lines":              {"dd", nil, 'b'},
	"geo_intersects_2polygons":           {"dd", nil, 'b'},
	"geo_intersects_line_with_polygon":   {"dd", nil, 'b'},
	"geo_intersection_line_with_polygon": {"dd", nil, 'd'},
	"geo_intersection_2lines":            {"dd", nil, 'd'},
	"geo_intersection_2polygons":         {"dd", nil, 'd'},
	"geo_union_polygons_array":           {"d", nil, 'd'},
	"geo_union_lines_array":              {"d", nil, 'd'},
	"geo_line_buffer":                    {"drr", []string{"10.0"}, 'd'},
	"geo_polygon_buffer":                 {"drr", []string{"10.0"}, 'd'},
	"geo_polygon_to_s2cells":             {"di", []string{"11"}, 'd'},
	"geo_from_wkt":                       {"s", nil, 'd'},
}

func init() {
	m := map[string]translator{}
	for name, spec := range geoFuncs {
		m[name] = geoTranslator(name, spec)
	}
	register(scalarFuncs, m)
}

func geoTranslator(name string, spec geoSpec) translator {
	return func(g *gen, c *plan.Call) string {
		n := len(spec.args)
		parts := make([]string, 0, n)
		for i := 0; i < n; i++ {
			if i >= len(c.Args) {
				parts = append(parts, spec.defaults[len(spec.defaults)-(n-i)])
				continue
			}
			a := c.Args[i]
			switch spec.args[i] {
			case 'r':
				parts = append(parts, "CAST("+g.convert(a, types.Real)+" AS DOUBLE)")
			case 'i':
				parts = append(parts, "CAST("+g.convert(a, types.Long)+" AS BIGINT)")
			case 's':
				parts = append(parts, strArg(g, a))
			case 'd':
				parts = append(parts, "CAST("+g.convert(a, types.Dynamic)+" AS VARCHAR)")
			case 'b':
				parts = append(parts, "coalesce("+g.convert(a, types.Bool)+", false)")
			}
		}
		call := "kql_" + name + "(" + strings.Join(parts, ", ") + ")"
		switch spec.result {
		case 'd':
			return "CAST(" + call + " AS JSON)"
		case 'i':
			return "CAST(" + call + " AS INTEGER)"
		}
		return call
	}
}
