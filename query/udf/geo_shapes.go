package udf

import (
	"database/sql/driver"
	"math"
	"sync"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// Lines and polygons: edges are great-circle arcs on the sphere.

func init() {
	geoAdd("kql_geo_point_in_polygon", tBool, geoPointInPolygon, tDouble, tDouble, tVarchar)
	geoAdd("kql_geo_distance_point_to_polygon", tDouble, geoDistancePointToPolygon, tDouble, tDouble, tVarchar)
	geoAdd("kql_geo_closest_point_on_polygon", tVarchar, geoClosestPointOnPolygon, tDouble, tDouble, tVarchar)
	geoAdd("kql_geo_distance_point_to_line", tDouble, geoDistancePointToLine, tDouble, tDouble, tVarchar)
	geoAdd("kql_geo_closest_point_on_line", tVarchar, geoClosestPointOnLine, tDouble, tDouble, tVarchar)
	geoAdd("kql_geo_polygon_area", tDouble, geoPolygonArea, tVarchar)
	geoAdd("kql_geo_polygon_perimeter", tDouble, geoPolygonPerimeter, tVarchar)
	geoAdd("kql_geo_line_length", tDouble, geoLineLength, tVarchar)
	geoAdd("kql_geo_line_locate_point", tDouble, geoLineLocatePoint, tVarchar, tDouble, tDouble)
	geoAdd("kql_geo_line_densify", tVarchar, geoLineDensify, tVarchar, tDouble)
	geoAdd("kql_geo_polygon_densify", tVarchar, geoPolygonDensify, tVarchar, tDouble)
	geoAdd("kql_geo_line_simplify", tVarchar, geoLineSimplify, tVarchar, tDouble)
	geoAdd("kql_geo_polygon_simplify", tVarchar, geoPolygonSimplify, tVarchar, tDouble)
	geoAdd("kql_geo_intersects_2lines", tBool, geoIntersects2Lines, tVarchar, tVarchar)
	geoAdd("kql_geo_intersects_2polygons", tBool, geoIntersects2Polygons, tVarchar, tVarchar)
	geoAdd("kql_geo_intersects_line_with_polygon", tBool, geoIntersectsLineWithPolygon, tVarchar, tVarchar)
}

// maxDensifyPoints bounds the output of densification.
const maxDensifyPoints = 1 << 20

// distinctRing drops the closing vertex and consecutive duplicates of a
// GeoJSON linear ring, or reports it invalid.
func distinctRing(r []pt) ([]pt, bool) {
	if len(r) < 4 || r[0] != r[len(r)-1] {
		return nil, false
	}
	var out []pt
	for _, p := range r[:len(r)-1] {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		return nil, false
	}
	return out, true
}

// shape is a validated polygon or multipolygon on the sphere.
type shape struct {
	polys []*s2.Polygon
	edges [][2]s2.Point
}

// shapeCache keeps recently parsed polygons: a query usually tests many
// points against the same few polygons.
var shapeCache = struct {
	sync.Mutex
	m map[string]*shape
}{m: map[string]*shape{}}

const shapeCacheSize = 64

// parsePolygons reads a Polygon or MultiPolygon. The result is shared and
// must not be modified.
func parsePolygons(v driver.Value) (*shape, bool) {
	text, ok := sArg(v)
	if !ok {
		return nil, false
	}
	shapeCache.Lock()
	sh, hit := shapeCache.m[text]
	shapeCache.Unlock()
	if hit {
		return sh, sh != nil
	}
	sh, ok = buildPolygons(text)
	shapeCache.Lock()
	if len(shapeCache.m) >= shapeCacheSize {
		clear(shapeCache.m)
	}
	if !ok {
		sh = nil
	}
	shapeCache.m[text] = sh
	shapeCache.Unlock()
	return sh, ok
}

func buildPolygons(text string) (*shape, bool) {
	g, err := parseGeo(text)
	if err != nil {
		return nil, false
	}
	var polys [][][]pt
	switch g.Type {
	case "Polygon":
		polys = [][][]pt{g.Lines}
	case "MultiPolygon":
		polys = g.Polys
	default:
		return nil, false
	}
	sh := &shape{}
	for _, rings := range polys {
		if len(rings) == 0 {
			return nil, false
		}
		var loops []*s2.Loop
		for _, r := range rings {
			vs, ok := distinctRing(r)
			if !ok {
				return nil, false
			}
			pts := make([]s2.Point, len(vs))
			for i, p := range vs {
				pts[i] = p.s2()
			}
			for i := range pts {
				sh.edges = append(sh.edges, [2]s2.Point{pts[i], pts[(i+1)%len(pts)]})
			}
			l := s2.LoopFromPoints(pts)
			l.Normalize()
			loops = append(loops, l)
		}
		sh.polys = append(sh.polys, s2.PolygonFromLoops(loops))
	}
	return sh, len(sh.polys) > 0
}

func (sh *shape) contains(p s2.Point) bool {
	for _, pg := range sh.polys {
		if pg.ContainsPoint(p) {
			return true
		}
	}
	return false
}

// closest returns the nearest point of the edges to p and its distance.
func closestOnEdges(edges [][2]s2.Point, p s2.Point) (s2.Point, s1.Angle) {
	best, bestD := s2.Point{}, s1.Angle(math.Inf(1))
	for _, e := range edges {
		if d := s2.DistanceFromSegment(p, e[0], e[1]); d < bestD {
			bestD = d
			best = s2.Project(p, e[0], e[1])
		}
	}
	return best, bestD
}

func pointArg(lngV, latV driver.Value) (pt, bool) {
	p, ok := lngLats([]driver.Value{lngV, latV}, 1)
	if !ok {
		return pt{}, false
	}
	return p[0], true
}

func geoPointInPolygon(args []driver.Value) (any, error) {
	p, ok := pointArg(args[0], args[1])
	sh, ok2 := parsePolygons(args[2])
	if !ok || !ok2 {
		return nil, nil
	}
	return sh.contains(p.s2()), nil
}

func geoDistancePointToPolygon(args []driver.Value) (any, error) {
	p, ok := pointArg(args[0], args[1])
	sh, ok2 := parsePolygons(args[2])
	if !ok || !ok2 {
		return nil, nil
	}
	if sh.contains(p.s2()) {
		return 0.0, nil
	}
	_, d := closestOnEdges(sh.edges, p.s2())
	return d.Radians() * earthRadius, nil
}

func geoClosestPointOnPolygon(args []driver.Value) (any, error) {
	p, ok := pointArg(args[0], args[1])
	sh, ok2 := parsePolygons(args[2])
	if !ok || !ok2 {
		return nil, nil
	}
	if sh.contains(p.s2()) {
		return pointJSON(p), nil
	}
	c, _ := closestOnEdges(sh.edges, p.s2())
	return pointJSON(fromS2(c)), nil
}

// parseLines reads a LineString or MultiLineString; each line needs two
// distinct vertices.
func parseLines(v driver.Value) (string, [][]pt, bool) {
	text, ok := sArg(v)
	if !ok {
		return "", nil, false
	}
	g, err := parseGeo(text)
	if err != nil {
		return "", nil, false
	}
	var lines [][]pt
	switch g.Type {
	case "LineString":
		lines = [][]pt{g.Line}
	case "MultiLineString":
		lines = g.Lines
	default:
		return "", nil, false
	}
	if len(lines) == 0 {
		return "", nil, false
	}
	for _, l := range lines {
		if len(l) < 2 {
			return "", nil, false
		}
	}
	return g.Type, lines, true
}

func lineEdges(lines [][]pt) [][2]s2.Point {
	var out [][2]s2.Point
	for _, l := range lines {
		for i := 0; i+1 < len(l); i++ {
			out = append(out, [2]s2.Point{l[i].s2(), l[i+1].s2()})
		}
	}
	return out
}

func geoDistancePointToLine(args []driver.Value) (any, error) {
	p, ok := pointArg(args[0], args[1])
	_, lines, ok2 := parseLines(args[2])
	if !ok || !ok2 {
		return nil, nil
	}
	_, d := closestOnEdges(lineEdges(lines), p.s2())
	return d.Radians() * earthRadius, nil
}

func geoClosestPointOnLine(args []driver.Value) (any, error) {
	p, ok := pointArg(args[0], args[1])
	_, lines, ok2 := parseLines(args[2])
	if !ok || !ok2 {
		return nil, nil
	}
	c, _ := closestOnEdges(lineEdges(lines), p.s2())
	return pointJSON(fromS2(c)), nil
}

func geoPolygonArea(args []driver.Value) (any, error) {
	sh, ok := parsePolygons(args[0])
	if !ok {
		return nil, nil
	}
	a := 0.0
	if len(sh.polys) > 1 {
		// A multipolygon's parts may overlap: measure their union.
		a = unionArea(sh)
	} else {
		a = sh.polys[0].Area()
	}
	return a * earthRadius * earthRadius, nil
}

func geoPolygonPerimeter(args []driver.Value) (any, error) {
	sh, ok := parsePolygons(args[0])
	if !ok {
		return nil, nil
	}
	l := 0.0
	for _, e := range sh.edges {
		l += e[0].Distance(e[1]).Radians()
	}
	return l * earthRadius, nil
}

func geoLineLength(args []driver.Value) (any, error) {
	_, lines, ok := parseLines(args[0])
	if !ok {
		return nil, nil
	}
	l := 0.0
	for _, e := range lineEdges(lines) {
		l += e[0].Distance(e[1]).Radians()
	}
	if l == 0 {
		return nil, nil
	}
	return l * earthRadius, nil
}

// geoLineLocatePoint is the fraction of the line's length from its start
// to the point of the line closest to the given point.
func geoLineLocatePoint(args []driver.Value) (any, error) {
	typ, lines, ok := parseLines(args[0])
	p, ok2 := pointArg(args[1], args[2])
	if !ok || !ok2 || typ != "LineString" {
		return nil, nil
	}
	edges := lineEdges(lines)
	total, best, bestD, along := 0.0, 0.0, s1.Angle(math.Inf(1)), 0.0
	x := p.s2()
	for _, e := range edges {
		d := s2.DistanceFromSegment(x, e[0], e[1])
		if d < bestD {
			bestD = d
			best = along + e[0].Distance(s2.Project(x, e[0], e[1])).Radians()
		}
		along += e[0].Distance(e[1]).Radians()
	}
	total = along
	if total == 0 {
		return nil, nil
	}
	return best / total, nil
}

// densify adds points to the planar edge a-b until each planar piece
// lies within tol meters of the geodesic between its ends.
func densify(a, b pt, tol float64, out []pt, depth int) ([]pt, bool) {
	m := pt{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
	dev := s2.DistanceFromSegment(m.s2(), a.s2(), b.s2()).Radians() * earthRadius
	if dev <= tol || depth > 30 {
		return append(out, b), true
	}
	if len(out) > maxDensifyPoints {
		return nil, false
	}
	out, ok := densify(a, m, tol, out, depth+1)
	if !ok {
		return nil, false
	}
	return densify(m, b, tol, out, depth+1)
}

func densifyLine(l []pt, tol float64) ([]pt, bool) {
	out := []pt{l[0]}
	for i := 0; i+1 < len(l); i++ {
		var ok bool
		if out, ok = densify(l[i], l[i+1], tol, out, 0); !ok {
			return nil, false
		}
	}
	return out, true
}

// tolArg reads a tolerance in meters; Kusto accepts (0, ~7,800,000).
func tolArg(v driver.Value, allowZero bool) (float64, bool) {
	t, ok := fArg(v)
	if !ok || math.IsNaN(t) || t < 0 || (t == 0 && !allowZero) || t >= 7800000 {
		return 0, false
	}
	return t, true
}

func geoLineDensify(args []driver.Value) (any, error) {
	typ, lines, ok := parseLines(args[0])
	tol, ok2 := tolArg(args[1], false)
	if !ok || !ok2 {
		return nil, nil
	}
	for i, l := range lines {
		d, ok := densifyLine(l, tol)
		if !ok {
			return nil, nil
		}
		lines[i] = d
	}
	if typ == "LineString" {
		return lineJSON(lines[0]), nil
	}
	return `{"type":"MultiLineString","coordinates":` + fmtRings(lines) + "}", nil
}

func parsePolygonRings(v driver.Value) (string, [][][]pt, bool) {
	if _, ok := parsePolygons(v); !ok {
		return "", nil, false
	}
	text, _ := sArg(v)
	g, err := parseGeo(text)
	if err != nil {
		return "", nil, false
	}
	if g.Type == "Polygon" {
		return g.Type, [][][]pt{g.Lines}, true
	}
	return g.Type, g.Polys, true
}

func polygonsJSON(typ string, polys [][][]pt) string {
	if typ == "Polygon" {
		return polygonJSON(polys[0])
	}
	return multiPolygonJSON(polys)
}

func geoPolygonDensify(args []driver.Value) (any, error) {
	typ, polys, ok := parsePolygonRings(args[0])
	tol, ok2 := tolArg(args[1], false)
	if !ok || !ok2 {
		return nil, nil
	}
	for _, rings := range polys {
		for i, r := range rings {
			d, ok := densifyLine(r, tol)
			if !ok {
				return nil, nil
			}
			rings[i] = d
		}
	}
	return polygonsJSON(typ, polys), nil
}

// simplify is Douglas-Peucker on the sphere: it keeps l[0] and l[last]
// and the vertices farther than tol meters from the kept edges.
func simplify(l []pt, tol float64) []pt {
	keep := make([]bool, len(l))
	keep[0], keep[len(l)-1] = true, true
	var rec func(i, j int)
	rec = func(i, j int) {
		if j <= i+1 {
			return
		}
		a, b := l[i].s2(), l[j].s2()
		far, farD := -1, -1.0
		for k := i + 1; k < j; k++ {
			var d float64
			if a == b {
				d = l[k].s2().Distance(a).Radians()
			} else {
				d = s2.DistanceFromSegment(l[k].s2(), a, b).Radians()
			}
			if d > farD {
				far, farD = k, d
			}
		}
		if farD*earthRadius > tol {
			keep[far] = true
			rec(i, far)
			rec(far, j)
		}
	}
	rec(0, len(l)-1)
	var out []pt
	for i, k := range keep {
		if k {
			out = append(out, l[i])
		}
	}
	return out
}

func geoLineSimplify(args []driver.Value) (any, error) {
	typ, lines, ok := parseLines(args[0])
	tol, ok2 := tolArg(args[1], true)
	if !ok || !ok2 {
		return nil, nil
	}
	var kept [][]pt
	for _, l := range lines {
		s := simplify(l, tol)
		if sphereDistance(s[0], s[len(s)-1])+0 < tol && len(s) == 2 {
			continue // the whole line is shorter than the tolerance
		}
		kept = append(kept, s)
	}
	if len(kept) == 0 {
		return nil, nil
	}
	if typ == "LineString" || len(kept) == 1 {
		return lineJSON(kept[0]), nil
	}
	return `{"type":"MultiLineString","coordinates":` + fmtRings(kept) + "}", nil
}

func geoPolygonSimplify(args []driver.Value) (any, error) {
	typ, polys, ok := parsePolygonRings(args[0])
	tol, ok2 := tolArg(args[1], true)
	if !ok || !ok2 {
		return nil, nil
	}
	var out [][][]pt
	for _, rings := range polys {
		var rs [][]pt
		for i, r := range rings {
			s := simplify(r, tol)
			if _, ok := distinctRing(s); !ok {
				if i == 0 {
					break // the shell vanished
				}
				continue // a vanished hole
			}
			rs = append(rs, s)
		}
		if len(rs) > 0 {
			out = append(out, rs)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	if len(out) == 1 {
		return polygonJSON(out[0]), nil
	}
	return polygonsJSON(typ, out), nil
}

func edgesCross(a, b [][2]s2.Point) bool {
	for _, e := range a {
		for _, f := range b {
			if s2.CrossingSign(e[0], e[1], f[0], f[1]) != s2.DoNotCross || e[0] == f[0] || e[0] == f[1] || e[1] == f[0] || e[1] == f[1] {
				return true
			}
			// Touching: a vertex lying on the other edge.
			for _, v := range []s2.Point{e[0], e[1]} {
				if s2.DistanceFromSegment(v, f[0], f[1]) < 1e-15 {
					return true
				}
			}
		}
	}
	return false
}

func geoIntersects2Lines(args []driver.Value) (any, error) {
	_, l1, ok := parseLines(args[0])
	_, l2, ok2 := parseLines(args[1])
	if !ok || !ok2 {
		return nil, nil
	}
	return edgesCross(lineEdges(l1), lineEdges(l2)), nil
}

func geoIntersects2Polygons(args []driver.Value) (any, error) {
	a, ok := parsePolygons(args[0])
	b, ok2 := parsePolygons(args[1])
	if !ok || !ok2 {
		return nil, nil
	}
	if edgesCross(a.edges, b.edges) || a.contains(b.edges[0][0]) || b.contains(a.edges[0][0]) {
		return true, nil
	}
	return false, nil
}

func geoIntersectsLineWithPolygon(args []driver.Value) (any, error) {
	_, l, ok := parseLines(args[0])
	p, ok2 := parsePolygons(args[1])
	if !ok || !ok2 {
		return nil, nil
	}
	e := lineEdges(l)
	return edgesCross(e, p.edges) || p.contains(e[0][0]), nil
}
