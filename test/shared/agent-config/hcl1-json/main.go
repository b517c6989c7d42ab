// Command hcl1-json parses HCL with HashiCorp's own parsers and prints the
// result in the JSON form vaultlet's config reader walks, so vaultlet's HCL
// parser can be compared with the real one.
//
// Default: HCL version 1 (github.com/hashicorp/hcl, the version OpenBao's
// `bao agent` is built with), shaped as shared/agent-config/hcl/shape.ts
// describes. With -hcl2: HCL version 2 (Terraform files), blocks shaped the
// same way, attributes as their constant values or "${expression}".
//
// stdin:  a JSON array of HCL texts
// stdout: a JSON array, one {"value": ...} or {"error": "..."} per text
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/hcl/ast"
	"github.com/hashicorp/hcl/hcl/parser"
	"github.com/hashicorp/hcl/hcl/token"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

type result struct {
	Value any    `json:"value,omitempty"`
	Error string `json:"error,omitempty"`
}

func main() {
	hcl2 := flag.Bool("hcl2", false, "parse HCL version 2 instead of version 1")
	flag.Parse()
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		fmt.Fprintf(os.Stderr, "hcl1-json: reading input: %v\n", err)
		os.Exit(2)
	}
	out := make([]result, 0, len(texts))
	for _, text := range texts {
		if *hcl2 {
			out = append(out, parseHCL2(text))
		} else {
			out = append(out, parseHCL1(text))
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "hcl1-json: writing output: %v\n", err)
		os.Exit(2)
	}
}

// shapeError is a problem found while shaping a parsed file.
type shapeError struct{ msg string }

func parseHCL1(text string) (r result) {
	defer func() {
		// token.Value panics on literals the scanner let through (e.g. 08)
		if p := recover(); p != nil {
			if e, ok := p.(shapeError); ok {
				r = result{Error: e.msg}
			} else {
				r = result{Error: fmt.Sprint(p)}
			}
		}
	}()
	file, err := parser.Parse([]byte(text))
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{Value: body(file.Node.(*ast.ObjectList).Items)}
}

type block struct {
	labels []string
	body   map[string]any
}

func keyName(k *ast.ObjectKey) string {
	return k.Token.Value().(string)
}

func body(items []*ast.ObjectItem) map[string]any {
	out := map[string]any{}
	assigned := map[string]bool{}
	var order []string
	blocks := map[string][]block{}
	for _, item := range items {
		name := keyName(item.Keys[0])
		isAssign := item.Assign.IsValid()
		seenAssign, seen := assigned[name]
		if seen && seenAssign != isAssign {
			panic(shapeError{fmt.Sprintf("%q is a setting and a block", name)})
		}
		if seen && isAssign {
			panic(shapeError{fmt.Sprintf("%q is already set", name)})
		}
		assigned[name] = isAssign
		if isAssign {
			out[name] = value(item.Val)
			continue
		}
		if _, ok := blocks[name]; !ok {
			order = append(order, name)
		}
		labels := []string{}
		for _, k := range item.Keys[1:] {
			labels = append(labels, keyName(k))
		}
		blocks[name] = append(blocks[name], block{labels, body(item.Val.(*ast.ObjectType).List.Items)})
	}
	for _, name := range order {
		out[name] = group(blocks[name])
	}
	return out
}

func value(n ast.Node) any {
	switch v := n.(type) {
	case *ast.LiteralType:
		return literal(v.Token)
	case *ast.ObjectType:
		return body(v.List.Items)
	case *ast.ListType:
		list := []any{}
		for _, e := range v.List {
			list = append(list, value(e))
		}
		return list
	}
	panic(fmt.Sprintf("unexpected node %T", n))
}

func literal(t token.Token) any {
	return t.Value()
}

// group nests blocks of one name by their labels, in source order.
func group(blocks []block) any {
	none, some := 0, 0
	for _, b := range blocks {
		if len(b.labels) == 0 {
			none++
		} else {
			some++
		}
	}
	if some == 0 {
		list := []any{}
		for _, b := range blocks {
			list = append(list, b.body)
		}
		return list
	}
	if none > 0 {
		list := []any{}
		for _, b := range blocks {
			if len(b.labels) == 0 {
				list = append(list, b.body)
			} else {
				list = append(list, group([]block{b}))
			}
		}
		return list
	}
	var labels []string
	byLabel := map[string][]block{}
	for _, b := range blocks {
		if _, ok := byLabel[b.labels[0]]; !ok {
			labels = append(labels, b.labels[0])
		}
		byLabel[b.labels[0]] = append(byLabel[b.labels[0]], block{b.labels[1:], b.body})
	}
	out := map[string]any{}
	for _, l := range labels {
		out[l] = group(byLabel[l])
	}
	return out
}

func parseHCL2(text string) result {
	file, diags := hclsyntax.ParseConfig([]byte(text), "input.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return result{Error: diags.Error()}
	}
	return result{Value: body2(file.Body.(*hclsyntax.Body), []byte(text))}
}

func body2(b *hclsyntax.Body, src []byte) map[string]any {
	out := map[string]any{}
	for name, attr := range b.Attributes {
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() || !v.IsWhollyKnown() {
			out[name] = "${" + string(attr.Expr.Range().SliceBytes(src)) + "}"
			continue
		}
		raw, err := ctyjson.SimpleJSONValue{Value: v}.MarshalJSON()
		if err != nil {
			out[name] = "${" + string(attr.Expr.Range().SliceBytes(src)) + "}"
			continue
		}
		out[name] = json.RawMessage(raw)
	}
	var order []string
	blocks := map[string][]block{}
	for _, blk := range b.Blocks {
		if _, ok := blocks[blk.Type]; !ok {
			order = append(order, blk.Type)
		}
		blocks[blk.Type] = append(blocks[blk.Type], block{blk.Labels, body2(blk.Body, src)})
	}
	for _, name := range order {
		out[name] = group(blocks[name])
	}
	return out
}
