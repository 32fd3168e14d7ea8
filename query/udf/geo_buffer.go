package udf

import (
	"database/sql/driver"
	"math"

	"github.com/golang/geo/s2"
)

// Line and polygon buffers: the union of the shape with a circle around
// every vertex and a band along every edge, each polygonal with edges
// straying at most tolerance meters beyond the ideal distance.

func init() {
	geoAdd("kql_geo_line_buffer", tVarchar, geoLineBuffer, tVarchar, tDouble, tDouble)
	geoAdd("kql_geo_polygon_buffer", tVarchar, geoPolygonBuffer, tVarchar, tDouble, tDouble)
}

// maxBufferEdges bounds the overlay's input.
const maxBufferEdges = 20000

// bufferArgs validates radius and tolerance and returns the circle's
// vertex count and outer radius.
func bufferArgs(rv, tv driver.Value) (r float64, n int, outer float64, ok bool) {
	r, ok1 := fArg(rv)
	tol, ok2 := fArg(tv)
	if !ok1 || !ok2 || !(r > 0) || math.IsInf(r, 0) || !(tol > 0) || tol < r*1e-6 || r >= math.Pi*earthRadius/4 {
		return 0, 0, 0, false
	}
	if tol >= r {
		tol = r * 0.999
	}
	n = int(math.Ceil(math.Pi / math.Acos(r/(r+tol))))
	if n < 8 {
		n = 8
	}
	if n > 1024 {
		n = 1024
	}
	return r, n, r / math.Cos(math.Pi/float64(n)), true
}

// circle is a counterclockwise polygon around c.
func circle(c pt, n int, outer float64) []pt {
	ring := make([]pt, 0, n+1)
	for k := 0; k < n; k++ {
		ring = append(ring, destination(c, outer, -2*math.Pi*(float64(k)+0.5)/float64(n)))
	}
	return append(ring, ring[0])
}

// band is a counterclockwise polygon covering the points within outer
// meters of the edge a-b (without the end caps).
func band(a, b pt, outer float64) [][]pt {
	d := sphereDistance(a, b)
	if d == 0 {
		return nil
	}
	// Short pieces keep the great-circle sides near the equidistant curves.
	k := int(math.Ceil(d / 50000))
	var out [][]pt
	pa, pb := a.s2(), b.s2()
	for i := 0; i < k; i++ {
		p := fromS2(s2.Interpolate(float64(i)/float64(k), pa, pb))
		q := fromS2(s2.Interpolate(float64(i+1)/float64(k), pa, pb))
		az1 := azimuth(p, q)
		az2 := azimuth(q, p) + math.Pi
		ring := []pt{
			destination(p, outer, az1+math.Pi/2),
			destination(q, outer, az2+math.Pi/2),
			destination(q, outer, az2-math.Pi/2),
			destination(p, outer, az1-math.Pi/2),
		}
		ring = append(ring, ring[0])
		out = append(out, ring)
	}
	return out
}

// bufferUnion unions the polygons (each a list of rings) into GeoJSON.
func bufferUnion(polys [][][]pt) (any, error) {
	var shapes []*shape
	var edges []oedge
	for _, rings := range polys {
		sh, ok := shapeFromRings(rings)
		if !ok {
			continue
		}
		shapes = append(shapes, sh)
		edges = append(edges, orientedEdges(sh, len(edges))...)
		if len(edges) > maxBufferEdges {
			return nil, nil
		}
	}
	in := func(p s2.Point) bool {
		for _, x := range shapes {
			if x.contains(p) {
				return true
			}
		}
		return false
	}
	rings := overlay(edges, in, vertexNames(polys))
	if len(rings) == 0 {
		return nil, nil
	}
	return ringsToGeoJSON(rings, nil), nil
}

// shapeFromRings builds a polygon from GeoJSON-style rings.
func shapeFromRings(rings [][]pt) (*shape, bool) {
	sh := &shape{}
	var loops []*s2.Loop
	for _, r := range rings {
		vs, ok := distinctRing(r)
		if !ok {
			return nil, false
		}
		ps := make([]s2.Point, len(vs))
		for i, p := range vs {
			ps[i] = p.s2()
		}
		l := s2.LoopFromPoints(ps)
		l.Normalize()
		loops = append(loops, l)
	}
	sh.polys = []*s2.Polygon{s2.PolygonFromLoops(loops)}
	return sh, true
}

func lineBufferParts(l []pt, n int, outer float64) [][][]pt {
	var parts [][][]pt
	for i, p := range l {
		if i > 0 && p == l[i-1] {
			continue
		}
		parts = append(parts, [][]pt{circle(p, n, outer)})
	}
	for i := 0; i+1 < len(l); i++ {
		for _, r := range band(l[i], l[i+1], outer) {
			parts = append(parts, [][]pt{r})
		}
	}
	return parts
}

func geoLineBuffer(args []driver.Value) (any, error) {
	_, lines, ok := parseLines(args[0])
	_, n, outer, ok2 := bufferArgs(args[1], args[2])
	if !ok || !ok2 {
		return nil, nil
	}
	var parts [][][]pt
	for _, l := range lines {
		parts = append(parts, lineBufferParts(l, n, outer)...)
	}
	return bufferUnion(parts)
}

func geoPolygonBuffer(args []driver.Value) (any, error) {
	_, polys, ok := parsePolygonRings(args[0])
	_, n, outer, ok2 := bufferArgs(args[1], args[2])
	if !ok || !ok2 {
		return nil, nil
	}
	var parts [][][]pt
	for _, rings := range polys {
		parts = append(parts, rings)
		for _, r := range rings {
			parts = append(parts, lineBufferParts(r, n, outer)...)
		}
	}
	return bufferUnion(parts)
}
