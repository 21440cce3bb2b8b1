package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthz(t *testing.T) {
	rec := httptest.NewRecorder()
	newMux().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("GET /healthz = %d, want %d", rec.Code, http.StatusNoContent)
	}
}

func TestVersionsListsEveryComponent(t *testing.T) {
	rec := httptest.NewRecorder()
	newMux().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/versions", nil))
	if rec.Code != http.StatusOK || len(components) == 0 {
		t.Fatalf("GET /versions = %d with %d components", rec.Code, len(components))
	}
}
