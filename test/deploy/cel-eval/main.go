// Command cel-eval evaluates a webhook matchCondition expression with cel-go,
// the CEL implementation the Kubernetes API server uses, against objects given
// as JSON, so the chart's expression is tested by the real language.
//
// stdin:  {"expression": "...", "objects": [ {...}, ... ]}
// stdout: [true, false, {"error": "..."}, ...] one entry per object
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/cel-go/cel"
)

type input struct {
	Expression string           `json:"expression"`
	Objects    []map[string]any `json:"objects"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("reading input: %v", err)
	}
	// The API server declares object (and request, etc.) for matchConditions;
	// the object is the admitted resource as unstructured JSON.
	env, err := cel.NewEnv(cel.Variable("object", cel.DynType))
	if err != nil {
		fail("environment: %v", err)
	}
	ast, issues := env.Compile(in.Expression)
	if issues != nil && issues.Err() != nil {
		fail("compile: %v", issues.Err())
	}
	if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
		fail("expression must be a bool, is %v", ast.OutputType())
	}
	prg, err := env.Program(ast)
	if err != nil {
		fail("program: %v", err)
	}
	out := make([]any, 0, len(in.Objects))
	for _, obj := range in.Objects {
		val, _, err := prg.Eval(map[string]any{"object": obj})
		if err != nil {
			out = append(out, map[string]string{"error": err.Error()})
			continue
		}
		out = append(out, val.Value())
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("writing output: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "cel-eval: "+format+"\n", args...)
	os.Exit(2)
}
