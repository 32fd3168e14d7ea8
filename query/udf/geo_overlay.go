package udf

import (
	"database/sql/driver"
	"encoding/json"
	"sort"
	"strings"

	"github.com/golang/geo/s2"
)

// Intersections of lines with polygons and with other lines.

func init() {
	geoAdd("kql_geo_intersection_line_with_polygon", tVarchar, geoIntersectionLineWithPolygon, tVarchar, tVarchar)
	geoAdd("kql_geo_intersection_2lines", tVarchar, geoIntersection2Lines, tVarchar, tVarchar)
	geoAdd("kql_geo_union_lines_array", tVarchar, geoUnionLinesArray, tVarchar)
}

const emptyCollection = `{"type":"GeometryCollection","geometries":[]}`

// splitEdge cuts the edge a-b where it crosses any of the edges and
// returns the pieces' end points in order from a to b.
func splitEdge(a, b s2.Point, edges [][2]s2.Point) []s2.Point {
	type cut struct {
		t float64
		p s2.Point
	}
	var cuts []cut
	for _, e := range edges {
		if s2.CrossingSign(a, b, e[0], e[1]) == s2.Cross {
			x := s2.Intersection(a, b, e[0], e[1])
			cuts = append(cuts, cut{a.Distance(x).Radians(), x})
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].t < cuts[j].t })
	out := []s2.Point{a}
	for _, c := range cuts {
		out = append(out, c.p)
	}
	return append(out, b)
}

func geoIntersectionLineWithPolygon(args []driver.Value) (any, error) {
	_, lines, ok := parseLines(args[0])
	sh, ok2 := parsePolygons(args[1])
	if !ok || !ok2 {
		return nil, nil
	}
	var pieces [][]pt
	var cur []pt
	flush := func() {
		if len(cur) >= 2 {
			pieces = append(pieces, cur)
		}
		cur = nil
	}
	for _, l := range lines {
		for i := 0; i+1 < len(l); i++ {
			ps := splitEdge(l[i].s2(), l[i+1].s2(), sh.edges)
			for k := 0; k+1 < len(ps); k++ {
				mid := s2.Interpolate(0.5, ps[k], ps[k+1])
				if !sh.contains(mid) {
					flush()
					continue
				}
				// Keep the input's own coordinates where they are vertices.
				from, to := fromS2(ps[k]), fromS2(ps[k+1])
				if k == 0 {
					from = l[i]
				}
				if k+2 == len(ps) {
					to = l[i+1]
				}
				if len(cur) == 0 {
					cur = append(cur, from)
				}
				cur = append(cur, to)
			}
		}
		flush()
	}
	switch len(pieces) {
	case 0:
		return emptyCollection, nil
	case 1:
		return lineJSON(pieces[0]), nil
	}
	return `{"type":"MultiLineString","coordinates":` + fmtRings(pieces) + "}", nil
}

// geoIntersection2Lines returns the points where the lines cross: a Point,
// a MultiPoint, or an empty collection. Shared vertices count as crossings.
func geoIntersection2Lines(args []driver.Value) (any, error) {
	_, l1, ok := parseLines(args[0])
	_, l2, ok2 := parseLines(args[1])
	if !ok || !ok2 {
		return nil, nil
	}
	e2 := lineEdges(l2)
	seen := map[pt]bool{}
	var pts []pt
	addPt := func(p pt) {
		if !seen[p] {
			seen[p] = true
			pts = append(pts, p)
		}
	}
	for _, e := range lineEdges(l1) {
		for _, f := range e2 {
			switch s2.CrossingSign(e[0], e[1], f[0], f[1]) {
			case s2.Cross:
				addPt(fromS2(s2.Intersection(e[0], e[1], f[0], f[1])))
			case s2.MaybeCross:
				for _, v := range []s2.Point{e[0], e[1]} {
					if v == f[0] || v == f[1] {
						addPt(fromS2(v))
					}
				}
			}
		}
	}
	switch len(pts) {
	case 0:
		return emptyCollection, nil
	case 1:
		return pointJSON(pts[0]), nil
	}
	parts := make([]string, len(pts))
	for i, p := range pts {
		parts[i] = fmtPt(p)
	}
	return `{"type":"MultiPoint","coordinates":[` + strings.Join(parts, ",") + "]}", nil
}

// geoUnionLinesArray merges an array of lines: duplicate edges are kept
// once and edges are chained into maximal lines.
func geoUnionLinesArray(args []driver.Value) (any, error) {
	text, ok := sArg(args[0])
	if !ok {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(text), &items); err != nil || len(items) == 0 {
		return nil, nil
	}
	type edge struct{ a, b pt }
	var edges []edge
	seen := map[edge]bool{}
	for _, it := range items {
		_, lines, ok := parseLines(string(it))
		if !ok {
			return nil, nil
		}
		for _, l := range lines {
			for i := 0; i+1 < len(l); i++ {
				e := edge{l[i], l[i+1]}
				if e.a == e.b || seen[e] || seen[edge{e.b, e.a}] {
					continue
				}
				seen[e] = true
				edges = append(edges, e)
			}
		}
	}
	in, out := map[pt]int{}, map[pt][]int{}
	for i, e := range edges {
		in[e.b]++
		out[e.a] = append(out[e.a], i)
	}
	used := make([]bool, len(edges))
	var chains [][]pt
	follow := func(i int) {
		chain := []pt{edges[i].a}
		for {
			used[i] = true
			v := edges[i].b
			chain = append(chain, v)
			if in[v] != 1 || len(out[v]) != 1 || used[out[v][0]] {
				break
			}
			i = out[v][0]
		}
		chains = append(chains, chain)
	}
	for i, e := range edges {
		if !used[i] && (in[e.a] != 1 || len(out[e.a]) != 1) {
			follow(i)
		}
	}
	for i := range edges {
		if !used[i] {
			follow(i)
		}
	}
	if len(chains) == 1 {
		return lineJSON(chains[0]), nil
	}
	return `{"type":"MultiLineString","coordinates":` + fmtRings(chains) + "}", nil
}
