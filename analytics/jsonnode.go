package analytics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// jsonNode parses JSON into the yaml.Node tree the decoder walks, with the
// line and column of every value, so ARM files are checked field by field
// like YAML ones.
func jsonNode(data []byte) (*yaml.Node, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lines := lineStarts(data)
	p := &jsonParser{dec: dec, data: data, lines: lines}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := p.pos(p.start())
		return nil, fmt.Errorf("line %d column %d: more than one JSON value", line, col)
	}
	return n, nil
}

type jsonParser struct {
	dec   *json.Decoder
	data  []byte
	lines []int
	prev  int64
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// start is the offset where the next token begins.
func (p *jsonParser) start() int {
	i := int(p.prev)
	for i < len(p.data) {
		switch p.data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

func (p *jsonParser) pos(off int) (line, col int) {
	lo, hi := 0, len(p.lines)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if p.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1, off - p.lines[lo] + 1
}

func (p *jsonParser) token() (json.Token, int, int, error) {
	line, col := p.pos(p.start())
	t, err := p.dec.Token()
	p.prev = p.dec.InputOffset()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, line, col, fmt.Errorf("line %d column %d: not valid JSON: %v", line, col, err)
	}
	return t, line, col, nil
}

func (p *jsonParser) value(depth int) (*yaml.Node, error) {
	if depth > 100 {
		return nil, fmt.Errorf("nested more than 100 levels deep")
	}
	t, line, col, err := p.token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Line: line, Column: col}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			for p.dec.More() {
				kt, kl, kc, err := p.token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: kl, Column: kc})
				c, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, c)
			}
		case '[':
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for p.dec.More() {
				c, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, c)
			}
		default:
			return nil, fmt.Errorf("line %d column %d: unexpected %q", line, col, v)
		}
		if _, _, _, err := p.token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", v
	case json.Number:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!int", v.String()
		if _, err := v.Int64(); err != nil {
			n.Tag = "!!float"
		}
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", fmt.Sprint(v)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}
