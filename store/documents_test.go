package store

import (
	"context"
	"testing"

	"github.com/goshawk-sec/goshawk/schema"
)

type doc struct {
	Name string
	N    int
}

func TestDocuments(t *testing.T) {
	ctx := context.Background()
	st, err := OpenMemory(ctx, schema.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := OpenDocuments[doc](ctx, st.DB(), "test_docs")
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := d.Get(ctx, "a"); found || err != nil {
		t.Fatalf("Get of nothing = %v, %v", found, err)
	}
	d.Put(ctx, "a", doc{"a", 1})
	d.Put(ctx, "a", doc{"a", 2})
	// An upsert in a transaction with other writes.
	put, _ := d.PutStatement("b", doc{"b", 3})
	if err := st.AppendBatches(ctx, []Batch{{Stmts: []Statement{put}}}); err != nil {
		t.Fatal(err)
	}
	if v, found, err := d.Get(ctx, "a"); !found || err != nil || v.N != 2 {
		t.Errorf("Get(a) = %+v, %v, %v", v, found, err)
	}
	if all, err := d.List(ctx); err != nil || len(all) != 2 {
		t.Errorf("List = %+v, %v", all, err)
	}
	if found, err := d.Delete(ctx, "a"); !found || err != nil {
		t.Errorf("Delete(a) = %v, %v", found, err)
	}
	if found, _ := d.Delete(ctx, "a"); found {
		t.Error("a second Delete found the document")
	}
}
