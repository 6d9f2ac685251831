// lua-health runs an Argo CD resource health script the way Argo CD does: on gopher-lua (Lua 5.1)
// with only the package, base, table and string libraries, the object as the global `obj`, and a
// one-second limit. Usage: lua-health SCRIPT OBJECT.json... ; prints one JSON object per input
// file name: {"status": ..., "message": ...} or {"error": ...}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
)

func toLua(L *lua.LState, v interface{}) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []interface{}:
		t := L.NewTable()
		for _, e := range x {
			t.Append(toLua(L, e))
		}
		return t
	case map[string]interface{}:
		t := L.NewTable()
		for k, e := range x {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	}
	return lua.LNil
}

func run(script string, path string) map[string]string {
	data, err := os.ReadFile(path)
	if err != nil {
		return map[string]string{"error": err.Error()}
	}
	var obj interface{}
	if err := json.Unmarshal(data, &obj); err != nil {
		return map[string]string{"error": err.Error()}
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		return map[string]string{"error": err.Error()}
	}
	hs, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return map[string]string{"error": fmt.Sprintf("script returned %s, not a table", L.Get(-1).Type())}
	}
	out := map[string]string{}
	hs.ForEach(func(k, v lua.LValue) { out[k.String()] = v.String() })
	return out
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: lua-health SCRIPT OBJECT.json...")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	results := map[string]map[string]string{}
	for _, path := range os.Args[2:] {
		results[path] = run(string(script), path)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(results)
}
