package udf

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// geo_from_wkt: Well-Known Text to GeoJSON.

func init() {
	geoAdd("kql_geo_from_wkt", tVarchar, geoFromWKT, tVarchar)
}

func geoFromWKT(args []driver.Value) (any, error) {
	s, ok := sArg(args[0])
	if !ok {
		return nil, nil
	}
	p := &wktParser{s: s}
	out, err := p.geometry()
	if err != nil {
		return nil, nil
	}
	p.space()
	if p.i != len(p.s) {
		return nil, nil
	}
	return out, nil
}

type wktParser struct {
	s string
	i int
}

func (p *wktParser) space() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

func (p *wktParser) word() string {
	p.space()
	j := p.i
	for p.i < len(p.s) && (p.s[p.i] >= 'A' && p.s[p.i] <= 'Z' || p.s[p.i] >= 'a' && p.s[p.i] <= 'z') {
		p.i++
	}
	return strings.ToUpper(p.s[j:p.i])
}

func (p *wktParser) expect(c byte) error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return fmt.Errorf("wkt: expected %q at %d", c, p.i)
	}
	p.i++
	return nil
}

func (p *wktParser) peek(c byte) bool {
	p.space()
	return p.i < len(p.s) && p.s[p.i] == c
}

func (p *wktParser) number() (float64, error) {
	p.space()
	j := p.i
	for p.i < len(p.s) && strings.ContainsRune("0123456789+-.eE", rune(p.s[p.i])) {
		p.i++
	}
	return strconv.ParseFloat(p.s[j:p.i], 64)
}

// point reads "x y [z [m]]".
func (p *wktParser) point() (pt, error) {
	x, err := p.number()
	if err != nil {
		return pt{}, fmt.Errorf("wkt: %w", err)
	}
	y, err := p.number()
	if err != nil {
		return pt{}, fmt.Errorf("wkt: %w", err)
	}
	for {
		p.space()
		if p.i < len(p.s) && strings.ContainsRune("0123456789+-.", rune(p.s[p.i])) {
			if _, err := p.number(); err != nil {
				return pt{}, fmt.Errorf("wkt: %w", err)
			}
			continue
		}
		break
	}
	if !validLngLat(x, y) {
		return pt{}, fmt.Errorf("wkt: coordinate out of range")
	}
	return pt{x, y}, nil
}

// points reads "(x y, x y, ...)"; in a MULTIPOINT each point may have its
// own parentheses.
func (p *wktParser) points() ([]pt, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	var out []pt
	for {
		paren := p.peek('(')
		if paren {
			p.i++
		}
		q, err := p.point()
		if err != nil {
			return nil, err
		}
		if paren {
			if err := p.expect(')'); err != nil {
				return nil, err
			}
		}
		out = append(out, q)
		if !p.peek(',') {
			break
		}
		p.i++
	}
	return out, p.expect(')')
}

func (p *wktParser) rings() ([][]pt, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	var out [][]pt
	for {
		r, err := p.points()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		if !p.peek(',') {
			break
		}
		p.i++
	}
	return out, p.expect(')')
}

func (p *wktParser) geometry() (string, error) {
	kind := p.word()
	if w := p.word(); w != "" && w != "Z" && w != "M" && w != "ZM" {
		return "", fmt.Errorf("wkt: unexpected %q", w)
	}
	switch kind {
	case "POINT":
		ps, err := p.points()
		if err != nil || len(ps) != 1 {
			return "", fmt.Errorf("wkt point: %v", err)
		}
		return pointJSON(ps[0]), nil
	case "LINESTRING":
		ps, err := p.points()
		if err != nil {
			return "", err
		}
		return lineJSON(ps), nil
	case "MULTIPOINT":
		ps, err := p.points()
		if err != nil {
			return "", err
		}
		return `{"type":"MultiPoint","coordinates":` + fmtPts(ps) + "}", nil
	case "POLYGON":
		rs, err := p.rings()
		if err != nil {
			return "", err
		}
		return polygonJSON(rs), nil
	case "MULTILINESTRING":
		rs, err := p.rings()
		if err != nil {
			return "", err
		}
		return `{"type":"MultiLineString","coordinates":` + fmtRings(rs) + "}", nil
	case "MULTIPOLYGON":
		if err := p.expect('('); err != nil {
			return "", err
		}
		var polys [][][]pt
		for {
			rs, err := p.rings()
			if err != nil {
				return "", err
			}
			polys = append(polys, rs)
			if !p.peek(',') {
				break
			}
			p.i++
		}
		if err := p.expect(')'); err != nil {
			return "", err
		}
		return multiPolygonJSON(polys), nil
	case "GEOMETRYCOLLECTION":
		if err := p.expect('('); err != nil {
			return "", err
		}
		var parts []string
		for {
			g, err := p.geometry()
			if err != nil {
				return "", err
			}
			parts = append(parts, g)
			if !p.peek(',') {
				break
			}
			p.i++
		}
		if err := p.expect(')'); err != nil {
			return "", err
		}
		return `{"type":"GeometryCollection","geometries":[` + strings.Join(parts, ",") + "]}", nil
	}
	return "", fmt.Errorf("wkt: unknown geometry %q", kind)
}
