package udf

// Shared helpers of the geospatial functions (geo_*.go): argument
// decoding, coordinate validation, GeoJSON parsing and printing.
//
// Kusto's geospatial functions work on a sphere of radius earthRadius
// (the WGS-84 coordinates are read as spherical); edges between vertices
// are great-circle arcs. Invalid input yields null, never an error.

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/golang/geo/s2"
)

// earthRadius is the sphere radius, in meters, Kusto measures on.
const earthRadius = 6371010.0

var (
	tDouble  = duckdb.TYPE_DOUBLE
	tVarchar = duckdb.TYPE_VARCHAR
	tBigint  = duckdb.TYPE_BIGINT
	tBool    = duckdb.TYPE_BOOLEAN
)

// geoAdd registers a geo UDF with the given argument types. A panic in
// the geometry code becomes an error naming the function.
func geoAdd(name string, result duckdb.Type, fn func(args []driver.Value) (any, error), args ...duckdb.Type) {
	safe := func(vs []driver.Value) (out any, err error) {
		defer func() {
			if r := recover(); r != nil {
				out, err = nil, fmt.Errorf("%s: internal error: %v", name, r)
			}
		}()
		return fn(vs)
	}
	add(Func{Name: name, Args: args, Result: result, Fn: safe})
}

// fArg reads a DOUBLE (or integer) argument.
func fArg(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// iArg reads an integer argument.
func iArg(v driver.Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	case float64:
		if x != math.Trunc(x) {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

// sArg reads a VARCHAR argument.
func sArg(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// validLngLat reports whether the coordinates are in Kusto's ranges.
func validLngLat(lng, lat float64) bool {
	return lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90 && !math.IsNaN(lng) && !math.IsNaN(lat)
}

// pt is a longitude/latitude pair in degrees (GeoJSON order).
type pt [2]float64

func (p pt) s2() s2.Point { return s2.PointFromLatLng(s2.LatLngFromDegrees(p[1], p[0])) }

func fromS2(p s2.Point) pt {
	ll := s2.LatLngFromPoint(p)
	return pt{ll.Lng.Degrees(), ll.Lat.Degrees()}
}

// geometry is a parsed GeoJSON geometry.
type geometry struct {
	Type       string
	Point      pt
	Line       []pt     // LineString, MultiPoint
	Lines      [][]pt   // MultiLineString, Polygon rings
	Polys      [][][]pt // MultiPolygon
	Geometries []*geometry
}

type rawGeo struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
}

// parseGeo decodes GeoJSON text and checks the coordinate ranges.
func parseGeo(text string) (*geometry, error) {
	var r rawGeo
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return nil, fmt.Errorf("geojson: %w", err)
	}
	g := &geometry{Type: r.Type}
	var err error
	switch r.Type {
	case "Point":
		err = json.Unmarshal(r.Coordinates, &g.Point)
		if err == nil && !validLngLat(g.Point[0], g.Point[1]) {
			err = fmt.Errorf("geojson: coordinate out of range")
		}
	case "LineString", "MultiPoint":
		err = json.Unmarshal(r.Coordinates, &g.Line)
		if err == nil {
			err = checkPts(g.Line)
		}
	case "MultiLineString", "Polygon":
		err = json.Unmarshal(r.Coordinates, &g.Lines)
		for _, l := range g.Lines {
			if err == nil {
				err = checkPts(l)
			}
		}
	case "MultiPolygon":
		err = json.Unmarshal(r.Coordinates, &g.Polys)
		for _, p := range g.Polys {
			for _, l := range p {
				if err == nil {
					err = checkPts(l)
				}
			}
		}
	case "GeometryCollection":
		for _, raw := range r.Geometries {
			c, err := parseGeo(string(raw))
			if err != nil {
				return nil, err
			}
			g.Geometries = append(g.Geometries, c)
		}
	default:
		return nil, fmt.Errorf("geojson: unsupported type %q", r.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("geojson %s: %w", r.Type, err)
	}
	return g, nil
}

func checkPts(ps []pt) error {
	for _, p := range ps {
		if !validLngLat(p[0], p[1]) {
			return fmt.Errorf("coordinate out of range")
		}
	}
	return nil
}

// fmtNum prints a coordinate the shortest way that reads back exactly.
func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func fmtPt(p pt) string { return "[" + fmtNum(p[0]) + "," + fmtNum(p[1]) + "]" }

func fmtPts(ps []pt) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmtPt(p)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func fmtRings(rs [][]pt) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmtPts(r)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func pointJSON(p pt) string { return `{"type":"Point","coordinates":` + fmtPt(p) + "}" }

func lineJSON(ps []pt) string { return `{"type":"LineString","coordinates":` + fmtPts(ps) + "}" }

func polygonJSON(rings [][]pt) string {
	return `{"type":"Polygon","coordinates":` + fmtRings(rings) + "}"
}

func multiPolygonJSON(polys [][][]pt) string {
	parts := make([]string, len(polys))
	for i, p := range polys {
		parts[i] = fmtRings(p)
	}
	return `{"type":"MultiPolygon","coordinates":[` + strings.Join(parts, ",") + "]}"
}

func stringsJSON(ss []string) string {
	b, _ := json.Marshal(ss)
	return string(b)
}
