// A small C API over the Faiss C++ library (Debian's libfaiss-dev ships a static library and headers but no
// compiled C API). Written for the research kit; loaded from C# with P/Invoke (Search/FaissNative.cs).
// Every function catches C++ exceptions: it returns -1 (or null) and keeps the message for rk_faiss_last_error.
#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/MetaIndexes.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

namespace {
thread_local std::string last_error;

template <typename F>
int guarded(F&& f) {
    try {
        f();
        return 0;
    } catch (const std::exception& e) {
        last_error = e.what();
    } catch (...) {
        last_error = "unknown C++ exception";
    }
    return -1;
}

// Flat and HNSW indexes cannot add vectors with ids of their own: wrap them in an IDMap2 (which can also
// reconstruct). IVF indexes take ids directly.
bool needs_id_map(faiss::Index* index) {
    return dynamic_cast<faiss::IndexIVF*>(index) == nullptr && dynamic_cast<faiss::IndexIDMap*>(index) == nullptr;
}

// Search-time parameters apply to the wrapped index, not to the IDMap around it.
faiss::Index* inner(faiss::Index* index) {
    if (auto* map = dynamic_cast<faiss::IndexIDMap*>(index)) return map->index;
    return index;
}
}  // namespace

extern "C" {

const char* rk_faiss_last_error() { return last_error.c_str(); }

faiss::Index* rk_faiss_create(int d, const char* factory, int metric) {
    faiss::Index* result = nullptr;
    guarded([&] {
        auto m = metric == 0 ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2;
        faiss::Index* index = faiss::index_factory(d, factory, m);
        if (needs_id_map(index)) {
            auto* map = new faiss::IndexIDMap2(index);
            map->own_fields = true;
            index = map;
        }
        result = index;
    });
    return result;
}

void rk_faiss_free(faiss::Index* index) { delete index; }

int rk_faiss_dimension(faiss::Index* index) { return index->d; }

int64_t rk_faiss_count(faiss::Index* index) { return index->ntotal; }

int rk_faiss_is_trained(faiss::Index* index) { return index->is_trained ? 1 : 0; }

int rk_faiss_metric(faiss::Index* index) { return index->metric_type == faiss::METRIC_INNER_PRODUCT ? 0 : 1; }

int rk_faiss_train(faiss::Index* index, int64_t n, const float* x) {
    return guarded([&] { index->train(n, x); });
}

int rk_faiss_add_with_ids(faiss::Index* index, int64_t n, const float* x, const int64_t* ids) {
    return guarded([&] { index->add_with_ids(n, x, ids); });
}

int rk_faiss_search(faiss::Index* index, int64_t n, const float* x, int64_t k, float* distances, int64_t* labels) {
    return guarded([&] { index->search(n, x, k, distances, labels); });
}

// Search-time parameters (nprobe, efSearch, ...) through ParameterSpace; efConstruction (HNSW build quality,
// set before adding vectors) and niter (IVF k-means iterations, set before training) directly, as ParameterSpace does
// not know them.
int rk_faiss_set_parameter(faiss::Index* index, const char* name, double value) {
    return guarded([&] {
        if (std::string(name) == "efConstruction") {
            auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(inner(index));
            if (hnsw == nullptr) throw std::invalid_argument("efConstruction applies to HNSW indexes only");
            hnsw->hnsw.efConstruction = static_cast<int>(value);
            return;
        }
        if (std::string(name) == "niter") {
            auto* ivf = dynamic_cast<faiss::IndexIVF*>(inner(index));
            if (ivf == nullptr) throw std::invalid_argument("niter (k-means iterations of training) applies to IVF indexes only");
            ivf->cp.niter = static_cast<int>(value);
            return;
        }
        faiss::ParameterSpace().set_index_parameter(inner(index), name, value);
    });
}

// Range search: every neighbour with similarity > radius (inner product) or distance < radius (L2).
// Returns a result handle; read it with rk_faiss_range_sizes / rk_faiss_range_copy, then free it.
faiss::RangeSearchResult* rk_faiss_range_search(faiss::Index* index, int64_t n, const float* x, float radius) {
    faiss::RangeSearchResult* result = nullptr;
    guarded([&] {
        auto* r = new faiss::RangeSearchResult(n);
        try {
            index->range_search(n, x, radius, r);
        } catch (...) {
            delete r;
            throw;
        }
        result = r;
    });
    return result;
}

int64_t rk_faiss_range_total(faiss::RangeSearchResult* r) { return static_cast<int64_t>(r->lims[r->nq]); }

// lims: nq + 1 offsets; labels and distances: rk_faiss_range_total entries.
void rk_faiss_range_copy(faiss::RangeSearchResult* r, int64_t* lims, int64_t* labels, float* distances) {
    for (size_t i = 0; i <= r->nq; i++) lims[i] = static_cast<int64_t>(r->lims[i]);
    const size_t total = r->lims[r->nq];
    std::memcpy(labels, r->labels, total * sizeof(int64_t));
    std::memcpy(distances, r->distances, total * sizeof(float));
}

void rk_faiss_range_free(faiss::RangeSearchResult* r) { delete r; }

int rk_faiss_write(faiss::Index* index, const char* path) {
    return guarded([&] { faiss::write_index(index, path); });
}

faiss::Index* rk_faiss_read(const char* path) {
    faiss::Index* result = nullptr;
    guarded([&] { result = faiss::read_index(path); });
    return result;
}

}  // extern "C"
