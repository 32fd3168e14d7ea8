package udf

import (
	"database/sql/driver"
	"encoding/json"
	"math"
	"sort"
	"strings"

	"github.com/golang/geo/s2"
)

// Polygon overlay on the sphere (intersection and union). Every input
// edge is cut where it crosses another input's edge; a piece is kept when
// the result region lies just to its left and not just to its right. The
// kept pieces are chained into rings; a ring starts with the piece from the
// lowest-numbered input edge, as Kusto's (S2) output does.

func init() {
	geoAdd("kql_geo_intersection_2polygons", tVarchar, geoIntersection2Polygons, tVarchar, tVarchar)
	geoAdd("kql_geo_union_polygons_array", tVarchar, geoUnionPolygonsArray, tVarchar)
}

type oedge struct {
	a, b s2.Point
	id   int
}

type piece struct {
	a, b s2.Point
	id   int
	t    float64
}

// orientedEdges lists the shape's edges with the interior on their left,
// numbered from first.
func orientedEdges(sh *shape, first int) []oedge {
	var out []oedge
	for _, pg := range sh.polys {
		for _, l := range pg.Loops() {
			n := l.NumVertices()
			for i := 0; i < n; i++ {
				out = append(out, oedge{l.Vertex(i), l.Vertex((i + 1) % n), first + len(out)})
			}
		}
	}
	return out
}

// overlay computes the boundary rings of the region in(p) describes.
func overlay(edges []oedge, in func(s2.Point) bool, names map[s2.Point]pt) [][]pt {
	// Crossing points, computed once per pair of edges.
	cuts := make([][]piece, len(edges))
	for i := range edges {
		for j := i + 1; j < len(edges); j++ {
			e, f := edges[i], edges[j]
			if s2.CrossingSign(e.a, e.b, f.a, f.b) != s2.Cross {
				continue
			}
			x := s2.Intersection(e.a, e.b, f.a, f.b)
			cuts[i] = append(cuts[i], piece{a: x, t: e.a.Distance(x).Radians()})
			cuts[j] = append(cuts[j], piece{a: x, t: f.a.Distance(x).Radians()})
		}
	}
	// A vertex of one edge lying inside another edge also cuts it.
	for i, e := range edges {
		for _, f := range edges {
			for _, v := range []s2.Point{f.a, f.b} {
				if v == e.a || v == e.b {
					continue
				}
				if s2.DistanceFromSegment(v, e.a, e.b).Radians() < 1e-15 {
					cuts[i] = append(cuts[i], piece{a: v, t: e.a.Distance(v).Radians()})
				}
			}
		}
	}
	const eps = 1e-10
	var kept []piece
	seen := map[[2]s2.Point]bool{}
	for i, e := range edges {
		cs := cuts[i]
		sort.Slice(cs, func(x, y int) bool { return cs[x].t < cs[y].t })
		pts := []s2.Point{e.a}
		ts := []float64{0}
		for _, c := range cs {
			if c.a != pts[len(pts)-1] {
				pts = append(pts, c.a)
				ts = append(ts, c.t)
			}
		}
		if e.b != pts[len(pts)-1] {
			pts = append(pts, e.b)
			ts = append(ts, math.Inf(1))
		}
		for k := 0; k+1 < len(pts); k++ {
			a, b := pts[k], pts[k+1]
			mid := s2.Interpolate(0.5, a, b)
			nrm := a.Cross(b.Vector).Normalize()
			left := s2.Point{Vector: mid.Add(nrm.Mul(eps)).Normalize()}
			right := s2.Point{Vector: mid.Sub(nrm.Mul(eps)).Normalize()}
			if !in(left) || in(right) {
				continue
			}
			key := [2]s2.Point{a, b}
			if seen[key] {
				continue
			}
			seen[key] = true
			kept = append(kept, piece{a, b, e.id, ts[k]})
		}
	}
	sort.SliceStable(kept, func(x, y int) bool {
		if kept[x].id != kept[y].id {
			return kept[x].id < kept[y].id
		}
		return kept[x].t < kept[y].t
	})
	from := map[s2.Point][]int{}
	for i, p := range kept {
		from[p.a] = append(from[p.a], i)
	}
	used := make([]bool, len(kept))
	name := func(p s2.Point) pt {
		if q, ok := names[p]; ok {
			return q
		}
		return fromS2(p)
	}
	var rings [][]pt
	for i := range kept {
		if used[i] {
			continue
		}
		ring := []pt{name(kept[i].a)}
		cur := i
		for steps := 0; steps <= len(kept); steps++ {
			used[cur] = true
			end := kept[cur].b
			ring = append(ring, name(end))
			if end == kept[i].a {
				break
			}
			next := -1
			for _, j := range from[end] {
				if !used[j] {
					next = j
					break
				}
			}
			if next < 0 {
				break
			}
			cur = next
		}
		if len(ring) >= 4 && ring[0] == ring[len(ring)-1] {
			rings = append(rings, ring)
		}
	}
	return rings
}

// ringsToGeoJSON groups rings into shells and holes (clockwise rings)
// and prints them, with any extra points first.
func ringsToGeoJSON(rings [][]pt, points []pt) string {
	var shells [][][]pt
	var holes [][]pt
	var shellLoops []*s2.Loop
	for _, r := range rings {
		ps := make([]s2.Point, len(r)-1)
		for i, p := range r[:len(r)-1] {
			ps[i] = p.s2()
		}
		l := s2.LoopFromPoints(ps)
		if l.Area() > 2*math.Pi {
			holes = append(holes, r)
			continue
		}
		shells = append(shells, [][]pt{r})
		shellLoops = append(shellLoops, l)
	}
	for _, h := range holes {
		for i, l := range shellLoops {
			if l.ContainsPoint(h[0].s2()) || len(shellLoops) == 1 {
				shells[i] = append(shells[i], h)
				break
			}
		}
	}
	var parts []string
	for _, p := range points {
		parts = append(parts, pointJSON(p))
	}
	switch len(shells) {
	case 0:
	case 1:
		parts = append(parts, polygonJSON(shells[0]))
	default:
		parts = append(parts, multiPolygonJSON(shells))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	if len(points) > 1 && len(shells) == 0 {
		cs := make([]string, len(points))
		for i, p := range points {
			cs[i] = fmtPt(p)
		}
		return `{"type":"MultiPoint","coordinates":[` + strings.Join(cs, ",") + "]}"
	}
	return `{"type":"GeometryCollection","geometries":[` + strings.Join(parts, ",") + "]}"
}

func vertexNames(shapes ...[][][]pt) map[s2.Point]pt {
	out := map[s2.Point]pt{}
	for _, polys := range shapes {
		for _, rings := range polys {
			for _, r := range rings {
				for _, p := range r {
					out[p.s2()] = p
				}
			}
		}
	}
	return out
}

func geoIntersection2Polygons(args []driver.Value) (any, error) {
	a, ok := parsePolygons(args[0])
	b, ok2 := parsePolygons(args[1])
	if !ok || !ok2 {
		return nil, nil
	}
	_, ra, _ := parsePolygonRings(args[0])
	_, rb, _ := parsePolygonRings(args[1])
	ea := orientedEdges(a, 0)
	edges := append(ea, orientedEdges(b, len(ea))...)
	in := func(p s2.Point) bool { return a.contains(p) && b.contains(p) }
	rings := overlay(edges, in, vertexNames(ra, rb))
	// Points where the boundaries only touch.
	var points []pt
	onRing := func(p pt) bool {
		for _, r := range rings {
			for _, q := range r {
				if q == p {
					return true
				}
			}
		}
		return false
	}
	seen := map[pt]bool{}
	for _, polys := range ra {
		for _, p := range polys[0] {
			if seen[p] || onRing(p) {
				continue
			}
			for _, rgs := range rb {
				for _, q := range rgs[0] {
					if p == q {
						seen[p] = true
						points = append(points, p)
					}
				}
			}
		}
	}
	return ringsToGeoJSON(rings, points), nil
}

func geoUnionPolygonsArray(args []driver.Value) (any, error) {
	text, ok := sArg(args[0])
	if !ok {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(text), &items); err != nil || len(items) == 0 {
		return nil, nil
	}
	var shapes []*shape
	var all [][][][]pt
	var edges []oedge
	for _, it := range items {
		sh, ok := parsePolygons(string(it))
		if !ok {
			return nil, nil
		}
		_, rs, _ := parsePolygonRings(string(it))
		shapes = append(shapes, sh)
		all = append(all, rs)
		edges = append(edges, orientedEdges(sh, len(edges))...)
	}
	in := func(p s2.Point) bool {
		for _, sh := range shapes {
			if sh.contains(p) {
				return true
			}
		}
		return false
	}
	rings := overlay(edges, in, vertexNames(all...))
	if len(rings) == 0 {
		return nil, nil
	}
	return ringsToGeoJSON(rings, nil), nil
}

// unionArea is the area, in steradians, of the union of the shape's
// polygons.
func unionArea(sh *shape) float64 {
	var shapes []*shape
	var edges []oedge
	for _, pg := range sh.polys {
		one := &shape{polys: []*s2.Polygon{pg}}
		shapes = append(shapes, one)
		edges = append(edges, orientedEdges(one, len(edges))...)
	}
	in := func(p s2.Point) bool {
		for _, x := range shapes {
			if x.contains(p) {
				return true
			}
		}
		return false
	}
	area := 0.0
	for _, r := range overlay(edges, in, nil) {
		ps := make([]s2.Point, len(r)-1)
		for i, p := range r[:len(r)-1] {
			ps[i] = p.s2()
		}
		a := s2.LoopFromPoints(ps).Area()
		if a > 2*math.Pi {
			a -= 4 * math.Pi // a hole
		}
		area += a
	}
	return area
}
