/* The matcher's three inner loops, compiled: they run per query over thousands of tokens, postings or token
 * occurrences, where a numpy pipeline pays a fixed cost per call (~1-3 us) many times over for a few dozen items.
 * Each function is the loop form of a definition written out in Python next to its caller:
 *
 *   lcs_scan       TokenIndex.similar     (service/core/token_index.py): LCS of a token with a slice of tokens
 *                  (`letters` prepares the prefilter it uses)
 *   union          MatcherIndex._candidates (service/core/matcher.py): names under any related token of each key
 *   may_reach      NameArrays.may_reach   (service/core/name_bound.py): the upper bound of compare_names
 *
 * Arrays arrive through the buffer protocol (numpy arrays or bytes), so the module needs no numpy headers. The GIL
 * stays held: the union's scratch array is shared by every thread that searches one index.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* A read-only view of a C-contiguous buffer whose items are `itemsize` bytes. */
typedef struct {
    Py_buffer view;
    int held;
} Buf;

static int get_buf(PyObject *obj, Buf *buf, Py_ssize_t itemsize, const char *what, int writable) {
    buf->held = 0;
    if (PyObject_GetBuffer(obj, &buf->view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0) {
        return -1;
    }
    buf->held = 1;
    if (buf->view.len % itemsize != 0 || (buf->view.itemsize != itemsize && buf->view.itemsize != 1)) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes", what, itemsize);
        return -1;
    }
    return 0;
}

static void release(Buf *buf) {
    if (buf->held) {
        PyBuffer_Release(&buf->view);
        buf->held = 0;
    }
}

/* Resize the PyMem block whose pointer is stored at `slot` (any object pointer's address) to `bytes`. On failure
 * the old block stays where it was, for the caller's clean-up, and MemoryError is set. */
static int grow(void *slot, size_t bytes) {
    void *old, *more;
    memcpy(&old, slot, sizeof old);
    more = PyMem_Realloc(old, bytes);
    if (more == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(slot, &more, sizeof more);
    return 0;
}

#define ITEMS(b_, type) ((Py_ssize_t)((b_).view.len / (Py_ssize_t)sizeof(type)))
#define DATA(b_, type) ((type *)(b_).view.buf)

/* A token's letters as an upper bound of its LCS with any other: bit b of `mask` is set when the token holds symbol
 * b, and `extra` counts the occurrences beyond each symbol's first. Symbols are a-z, 0-9 and, folded onto the
 * remaining bits, anything else (a fold only loosens the bound). The LCS of two tokens is at most the sum over
 * symbols of the smaller count, which is at most popcount(x.mask & y.mask) + min(x.extra, y.extra). Kept apart from
 * the tokens (8 + 1 + 1 bytes each) so the prefilter streams little memory. */
static int symbol(uint8_t ch) {
    if (ch >= 'a' && ch <= 'z') {
        return ch - 'a';
    }
    if (ch >= '0' && ch <= '9') {
        return 26 + (ch - '0');
    }
    return 36 + ch % 28;
}

static uint64_t mask_of(const uint8_t *chars, Py_ssize_t n, uint8_t *extra) {
    uint64_t mask = 0;
    int repeated = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        uint64_t bit = (uint64_t)1 << symbol(chars[k]);
        repeated += (mask & bit) != 0;
        mask |= bit;
    }
    *extra = (uint8_t)(repeated > 255 ? 255 : repeated);
    return mask;
}

/* Extras a token may have that lcs_scan's block test tells apart: the bit columns of tokens with at least 1, 2 ..
 * EXTRA_PLANES extras. */
enum { EXTRA_PLANES = 7 };

/* letters(blob, offsets) -> (masks: bytes of uint64, extras: bytes, lengths: bytes, columns: bytes of uint64,
 * shortest: bytes, extra_columns: bytes of uint64) for lcs_scan's prefilter (lengths above 255 are stored as 255).
 * `columns` is `masks` transposed: for symbol b, the words columns[b * W .. b * W + W - 1] (W = ceil(tokens / 64))
 * have bit i % 64 of word i / 64 set when token i holds symbol b; shortest[w] is the least length among tokens
 * 64w .. 64w + 63; extra_columns[(k - 1) * W + w] has the bit of each of those tokens with at least k extras. */
static PyObject *letters(PyObject *self, PyObject *args) {
    PyObject *blob_obj, *offsets_obj;
    if (!PyArg_ParseTuple(args, "OO", &blob_obj, &offsets_obj)) {
        return NULL;
    }
    Buf blob, offsets;
    blob.held = offsets.held = 0;
    PyObject *masks = NULL, *extras = NULL, *lengths = NULL, *columns = NULL, *shortests = NULL, *extra_columns = NULL;
    PyObject *out = NULL;
    if (get_buf(blob_obj, &blob, 1, "blob", 0) < 0 || get_buf(offsets_obj, &offsets, 8, "offsets", 0) < 0) {
        goto done;
    }
    const uint8_t *chars = DATA(blob, uint8_t);
    const int64_t *off = DATA(offsets, int64_t);
    Py_ssize_t n = ITEMS(offsets, int64_t) - 1;
    if (n < 0 || (n > 0 && (off[0] < 0 || off[n] > blob.view.len))) {
        PyErr_SetString(PyExc_ValueError, "letters: offsets out of range");
        goto done;
    }
    Py_ssize_t words = (n + 63) / 64;
    masks = PyBytes_FromStringAndSize(NULL, n * 8);
    extras = PyBytes_FromStringAndSize(NULL, n);
    lengths = PyBytes_FromStringAndSize(NULL, n);
    columns = PyBytes_FromStringAndSize(NULL, 64 * words * 8);
    shortests = PyBytes_FromStringAndSize(NULL, words);
    extra_columns = PyBytes_FromStringAndSize(NULL, EXTRA_PLANES * words * 8);
    if (masks == NULL || extras == NULL || lengths == NULL || columns == NULL || shortests == NULL ||
        extra_columns == NULL) {
        goto done;
    }
    uint8_t *shortest = (uint8_t *)PyBytes_AS_STRING(shortests);
    memset(shortest, 255, (size_t)words);
    uint64_t *mask = (uint64_t *)PyBytes_AS_STRING(masks);
    uint8_t *extra = (uint8_t *)PyBytes_AS_STRING(extras);
    uint8_t *length = (uint8_t *)PyBytes_AS_STRING(lengths);
    uint64_t *column = (uint64_t *)PyBytes_AS_STRING(columns);
    memset(column, 0, (size_t)(64 * words * 8));
    uint64_t *extra_column = (uint64_t *)PyBytes_AS_STRING(extra_columns);
    memset(extra_column, 0, (size_t)(EXTRA_PLANES * words * 8));
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t len = off[i + 1] - off[i];
        mask[i] = mask_of(chars + off[i], (Py_ssize_t)len, &extra[i]);
        length[i] = (uint8_t)(len > 255 ? 255 : len);
        shortest[i / 64] = length[i] < shortest[i / 64] ? length[i] : shortest[i / 64];
        for (uint64_t bits = mask[i]; bits; bits &= bits - 1) {
            column[__builtin_ctzll(bits) * words + i / 64] |= (uint64_t)1 << (i % 64);
        }
        for (int k = 1; k <= EXTRA_PLANES && k <= extra[i]; k++) {
            extra_column[(k - 1) * words + i / 64] |= (uint64_t)1 << (i % 64);
        }
    }
    out = PyTuple_Pack(6, masks, extras, lengths, columns, shortests, extra_columns);
done:
    Py_XDECREF(masks);
    Py_XDECREF(extras);
    Py_XDECREF(lengths);
    Py_XDECREF(columns);
    Py_XDECREF(shortests);
    Py_XDECREF(extra_columns);
    release(&blob);
    release(&offsets);
    return out;
}

/* The tokens of a 64-token block whose count, kept in bit planes (plane p holds bit p of every token's count, seven
 * planes), is at least `floor`. */
static uint64_t at_least(const uint64_t plane[7], int floor) {
    if (floor <= 0) {
        return ~(uint64_t)0;
    }
    if (floor > 127) {
        return 0;
    }
    uint64_t greater = 0, equal = ~(uint64_t)0;
    for (int p = 6; p >= 0; p--) {
        if ((floor >> p) & 1) {
            equal &= plane[p];
        } else {
            greater |= equal & plane[p];
            equal &= ~plane[p];
        }
    }
    return greater | equal;
}

/* lcs_scan(text, blob, offsets, letters, begin, end, need) -> (indices: bytes of int64, lcs: bytes, ratios: bytes
 * of float64)
 *
 * `blob[offsets[i]:offsets[i + 1]]` is token i and `letters` the (masks, extras, lengths) of all tokens (from
 * `letters`). For every token i in [begin, end): the length of the longest common subsequence with `text` (at most
 * 64 bytes), kept when it reaches need[len(token i)], and the Indel ratio 2·LCS / (len text + len token i), computed
 * as the scorer computes it (the same double operations, so the same value). Tokens whose letters cannot reach it
 * are skipped; the others are computed bit-parallel (Hyyro 2004) with `text` as the pattern: one word of state, four
 * operations per character of the token. */
static PyObject *lcs_scan(PyObject *self, PyObject *args) {
    const char *text;
    Py_ssize_t m, begin, end;
    PyObject *blob_obj, *offsets_obj, *masks_obj, *extras_obj, *lengths_obj, *columns_obj, *shortest_obj, *need_obj;
    PyObject *extra_columns_obj;
    if (!PyArg_ParseTuple(args, "y#OO(OOOOOO)nnO", &text, &m, &blob_obj, &offsets_obj, &masks_obj, &extras_obj,
                          &lengths_obj, &columns_obj, &shortest_obj, &extra_columns_obj, &begin, &end, &need_obj)) {
        return NULL;
    }
    if (m > 64) {
        PyErr_SetString(PyExc_ValueError, "lcs_scan: text longer than 64 characters");
        return NULL;
    }
    Buf blob, offsets, masks, extras, lengths, columns, shortests, extra_columns, need;
    PyObject *out = NULL;
    blob.held = offsets.held = masks.held = extras.held = lengths.held = columns.held = shortests.held = 0;
    extra_columns.held = need.held = 0;
    if (get_buf(blob_obj, &blob, 1, "blob", 0) < 0 || get_buf(offsets_obj, &offsets, 8, "offsets", 0) < 0 ||
        get_buf(masks_obj, &masks, 8, "masks", 0) < 0 || get_buf(extras_obj, &extras, 1, "extras", 0) < 0 ||
        get_buf(lengths_obj, &lengths, 1, "lengths", 0) < 0 || get_buf(columns_obj, &columns, 8, "columns", 0) < 0 ||
        get_buf(shortest_obj, &shortests, 1, "shortest", 0) < 0 ||
        get_buf(extra_columns_obj, &extra_columns, 8, "extra_columns", 0) < 0 ||
        get_buf(need_obj, &need, 1, "need", 0) < 0) {
        goto done;
    }
    const uint8_t *chars = DATA(blob, uint8_t);
    const int64_t *off = DATA(offsets, int64_t);
    const uint64_t *mask = DATA(masks, uint64_t);
    const uint8_t *extra = DATA(extras, uint8_t);
    const uint8_t *length = DATA(lengths, uint8_t);
    const uint8_t *least = DATA(need, uint8_t);
    Py_ssize_t n_need = ITEMS(need, uint8_t), n_tokens = ITEMS(offsets, int64_t) - 1;
    Py_ssize_t words = (n_tokens + 63) / 64;
    const uint64_t *column = DATA(columns, uint64_t);
    const uint8_t *shortest = DATA(shortests, uint8_t);
    const uint64_t *extra_column = DATA(extra_columns, uint64_t);
    if (begin < 0 || end > n_tokens || begin > end || ITEMS(masks, uint64_t) != n_tokens ||
        ITEMS(extras, uint8_t) != n_tokens || ITEMS(lengths, uint8_t) != n_tokens ||
        ITEMS(columns, uint64_t) != 64 * words || ITEMS(shortests, uint8_t) != words ||
        ITEMS(extra_columns, uint64_t) != EXTRA_PLANES * words ||
        (n_tokens > 0 && off[n_tokens] > blob.view.len)) {
        PyErr_SetString(PyExc_IndexError, "lcs_scan: slice out of range");
        goto done;
    }
    uint64_t pm[256];
    memset(pm, 0, sizeof pm);
    for (Py_ssize_t k = 0; k < m; k++) {
        pm[(uint8_t)text[k]] |= (uint64_t)1 << k;
    }
    uint8_t own_extra;
    uint64_t own = mask_of((const uint8_t *)text, m, &own_extra);
    uint64_t full = m == 64 ? ~(uint64_t)0 : (((uint64_t)1 << m) - 1);
    Py_ssize_t found = 0, capacity = 0;
    int64_t *hits = NULL;
    uint8_t *lcs_of = NULL;
    double *ratio_of = NULL;
    /* 64 tokens at a time: how many of the text's symbols each holds, as a 7-bit counter per token kept in bit
     * planes (plane p holds bit p of every token's count), summed from `columns`. Only the tokens whose count plus
     * extras (the exact test's bound) can reach the smallest need of any token at least as long as the shortest of
     * the 64 go through the exact test below: lowest[n] is the smallest need of a length n or more. A token with k
     * extras adds min(k, own_extra): the tokens with at least k (`extra_columns`) need a count of floor - k, for k up
     * to own_extra; beyond EXTRA_PLANES the columns do not tell, and those tokens need floor - own_extra. */
    int lowest[257];
    lowest[256] = 256;
    for (int n = 255; n >= 0; n--) {
        int here = n < n_need ? least[n] : 256;
        lowest[n] = here < lowest[n + 1] ? here : lowest[n + 1];
    }
    for (Py_ssize_t w = begin / 64; w * 64 < end; w++) {
        uint64_t plane[7] = {0, 0, 0, 0, 0, 0, 0};
        for (uint64_t bits = own; bits; bits &= bits - 1) {
            uint64_t carry = column[__builtin_ctzll(bits) * words + w];
            for (int p = 0; p < 7 && carry; p++) {
                uint64_t next = plane[p] & carry;
                plane[p] ^= carry;
                carry = next;
            }
        }
        Py_ssize_t first = w * 64 > begin ? w * 64 : begin, last = w * 64 + 64 < end ? w * 64 + 64 : end;
        int floor = lowest[shortest[w]];
        uint64_t reach = at_least(plane, floor);
        for (int k = 1; k <= own_extra && k <= EXTRA_PLANES; k++) {
            int added = k == EXTRA_PLANES ? own_extra : k;
            reach |= extra_column[(k - 1) * words + w] & at_least(plane, floor - added);
        }
        if (first > w * 64) {
            reach &= ~(uint64_t)0 << (first - w * 64);
        }
        if (last < w * 64 + 64) {
            reach &= ((uint64_t)1 << (last - w * 64)) - 1;
        }
        for (; reach; reach &= reach - 1) {
            Py_ssize_t i = w * 64 + __builtin_ctzll(reach);
            Py_ssize_t n = length[i];
            int bound = __builtin_popcountll(own & mask[i]) + (own_extra < extra[i] ? own_extra : extra[i]);
            if (n >= n_need || bound < least[n]) {
                continue;
            }
            uint64_t v = ~(uint64_t)0;
            for (int64_t k = off[i]; k < off[i + 1]; k++) {
                uint64_t u = v & pm[chars[k]];
                v = (v + u) | (v - u);
            }
            int lcs = __builtin_popcountll(~v & full);
            if (lcs < least[n]) {
                continue;
            }
            if (found == capacity) {
                capacity = capacity ? 2 * capacity : 256;
                if (grow(&hits, (size_t)capacity * sizeof *hits) < 0 || grow(&lcs_of, (size_t)capacity) < 0 ||
                    grow(&ratio_of, (size_t)capacity * sizeof *ratio_of) < 0) {
                    goto failed;
                }
            }
            hits[found] = i;
            lcs_of[found] = (uint8_t)lcs;
            ratio_of[found] = 2.0 * lcs / (double)(m + (off[i + 1] - off[i]));
            found++;
        }
    }
    PyObject *hits_out = PyBytes_FromStringAndSize((const char *)hits, found * (Py_ssize_t)sizeof *hits);
    PyObject *lcs_out = PyBytes_FromStringAndSize((const char *)lcs_of, found);
    PyObject *ratios_out = PyBytes_FromStringAndSize((const char *)ratio_of, found * (Py_ssize_t)sizeof *ratio_of);
    if (hits_out != NULL && lcs_out != NULL && ratios_out != NULL) {
        out = PyTuple_Pack(3, hits_out, lcs_out, ratios_out);
    }
    Py_XDECREF(hits_out);
    Py_XDECREF(lcs_out);
    Py_XDECREF(ratios_out);
failed:
    PyMem_Free(hits);
    PyMem_Free(lcs_of);
    PyMem_Free(ratio_of);
done:
    release(&blob);
    release(&offsets);
    release(&masks);
    release(&extras);
    release(&lengths);
    release(&columns);
    release(&shortests);
    release(&extra_columns);
    release(&need);
    return out;
}

/* union(postings_start, postings, keys, scratch, flags, mask) -> bytes of int64: the names worth bounding
 *
 * `keys` is a list of (own_id, related_ids, repeats): a query key token, the vocabulary id of the token itself (-1
 * when the lists lack it), the ids of its related tokens (int32) and how often the query holds it. Every name posted
 * under a key's own or related tokens is reached once, in first-reached order, with the sum of `repeats` over the
 * keys that reach it (each key counted once per name). A reached name is returned when that sum is at least 2 or
 * when its `flags` (uint8, one per name) share a bit with `mask`.
 *
 * `scratch` (int32, one per name, zeros between calls) holds 1 + the output slot of each name reached so far; the
 * call sets those marks back to zero before it returns, errors included. Four bytes a name keep the marks, which
 * every posting reads at a random place, small enough to stay in a core's cache. */
static PyObject *union_(PyObject *self, PyObject *args) {
    PyObject *start_obj, *postings_obj, *keys, *scratch_obj, *flags_obj;
    int mask;
    if (!PyArg_ParseTuple(args, "OOO!OOi", &start_obj, &postings_obj, &PyList_Type, &keys, &scratch_obj, &flags_obj,
                          &mask)) {
        return NULL;
    }
    Buf start, postings, scratch, ids, flag_buf;
    start.held = postings.held = scratch.held = ids.held = flag_buf.held = 0;
    PyObject *result = NULL;
    int64_t *names = NULL;
    double *counts = NULL;
    int32_t *last_key = NULL, *mark = NULL;
    Py_ssize_t found = 0, capacity = 0;
    if (get_buf(start_obj, &start, 8, "postings_start", 0) < 0 ||
        get_buf(postings_obj, &postings, 4, "postings", 0) < 0 || get_buf(scratch_obj, &scratch, 4, "scratch", 1) < 0 ||
        get_buf(flags_obj, &flag_buf, 1, "flags", 0) < 0) {
        goto done;
    }
    if (ITEMS(flag_buf, uint8_t) != ITEMS(scratch, int32_t)) {
        PyErr_SetString(PyExc_ValueError, "union: flags and scratch differ in length");
        goto done;
    }
    const uint8_t *flags = DATA(flag_buf, uint8_t);
    const int64_t *begin_of = DATA(start, int64_t);
    const int32_t *post = DATA(postings, int32_t);
    mark = DATA(scratch, int32_t);
    Py_ssize_t vocabulary = ITEMS(start, int64_t) - 1;
    Py_ssize_t name_count = ITEMS(scratch, int32_t);
    Py_ssize_t n_keys = PyList_GET_SIZE(keys);
    for (Py_ssize_t key = 0; key < n_keys; key++) {
        Py_ssize_t own;
        PyObject *ids_obj;
        double repeats;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(keys, key), "nOd", &own, &ids_obj, &repeats)) {
            goto done;
        }
        if (get_buf(ids_obj, &ids, 4, "related_ids", 0) < 0) {
            goto done;
        }
        const int32_t *related = DATA(ids, int32_t);
        Py_ssize_t n_related = ITEMS(ids, int32_t);
        for (Py_ssize_t r = -1; r < n_related; r++) {
            Py_ssize_t token = r < 0 ? own : related[r];
            /* Each token's postings start somewhere else: ask for the next token's while this one's are read. */
            if (r + 1 < n_related && related[r + 1] >= 0 && related[r + 1] < vocabulary) {
                __builtin_prefetch(&post[begin_of[related[r + 1]]]);
            }
            if (token < 0) {
                continue;
            }
            if (token >= vocabulary) {
                PyErr_SetString(PyExc_IndexError, "union: token id out of range");
                goto done;
            }
            for (int64_t p = begin_of[token]; p < begin_of[token + 1]; p++) {
                int32_t name = post[p];
                if (name < 0 || name >= name_count) {
                    PyErr_SetString(PyExc_IndexError, "union: name id out of range");
                    goto done;
                }
                int32_t slot = mark[name] - 1;
                if (slot < 0) {
                    if (found == capacity) {
                        capacity = capacity ? 2 * capacity : 1024;
                        size_t items = (size_t)capacity;
                        if (grow(&names, items * sizeof *names) < 0 || grow(&counts, items * sizeof *counts) < 0 ||
                            grow(&last_key, items * sizeof *last_key) < 0) {
                            goto done;
                        }
                    }
                    mark[name] = (int32_t)(found + 1);
                    names[found] = name;
                    counts[found] = repeats;
                    last_key[found] = (int32_t)key;
                    found++;
                } else if (last_key[slot] != (int32_t)key) {
                    last_key[slot] = (int32_t)key;
                    counts[slot] += repeats;
                }
            }
        }
        release(&ids);
    }
    result = PyBytes_FromStringAndSize(NULL, found * (Py_ssize_t)sizeof *names);
    if (result != NULL) {
        int64_t *kept = (int64_t *)PyBytes_AS_STRING(result);
        Py_ssize_t n_kept = 0;
        for (Py_ssize_t f = 0; f < found; f++) {
            if (counts[f] >= 2.0 || (flags[names[f]] & mask)) {
                kept[n_kept++] = names[f];
            }
        }
        _PyBytes_Resize(&result, n_kept * (Py_ssize_t)sizeof *names);
    }
done:
    for (Py_ssize_t f = 0; f < found; f++) {
        mark[names[f]] = 0;
    }
    PyMem_Free(names);
    PyMem_Free(counts);
    PyMem_Free(last_key);
    release(&start);
    release(&postings);
    release(&scratch);
    release(&ids);
    release(&flag_buf);
    return result;
}

/* Token kinds, as in service/core/names.py. */
enum { STRONG = 0, PARTICLE = 1, INITIAL = 2, NUMBER = 3 };

/* NameArrays.records (service/core/name_bound.py gives the same layout as numpy dtypes): per name a head record
 * followed by one record per token occurrence, 16 bytes each, so the bound reads a candidate from one or two cache
 * lines where separate columns cost a cache miss each. */
typedef struct {
    double mass;
    int32_t token;
    int8_t kind;
    uint8_t first; /* code of the token's first letter (the person initial rule) */
    uint8_t pad[2];
} Occurrence;
typedef struct {
    int32_t count; /* token occurrences that follow */
    int16_t strong, core, numbers; /* strong: at most the name parts OFAC FAQ 5 counts (names.min_parts) */
    uint8_t person;
    uint8_t pad[5];
} Head;
typedef union {
    Occurrence occ;
    Head head;
} Record;
_Static_assert(sizeof(Record) == 16, "NameArrays records are 16 bytes");

static double min2(double a, double b) { return a < b ? a : b; }

enum { PREFETCH_AHEAD = 8 }; /* candidates ahead whose records may_reach asks the memory for */

/* may_reach(cand, names, query, related, params, scratch) -> bytes (1 where the name may reach the threshold)
 *
 * names   = (head, records): NameArrays.head (int32, name id → index of its head record) and NameArrays.records
 * query   = (kinds, masses, firsts, own_ids, person_query, parts, has_numbers, spacing): kinds and firsts as
 *           bytes, masses float64, own_ids int64 (-1 for a token the lists lack), parts at most the name parts
 *           OFAC FAQ 5 counts (names.min_parts, as a head's `strong` is); with `spacing`, `related` also
 *           credits 1 to the listed tokens that spell a spacing variant with a query token, and the two alignment
 *           rules a spacing variant bypasses (a related core part, OFAC FAQ 5) are not checked
 * related = per query token (ids int32, credited similarities float64; a later entry for an id wins)
 * params  = (initial_similarity, person_surplus_weight, unmatched_weight, conflict_weight, threshold)
 * scratch = int32, 2 * vocabulary + 1, zeros at first: marks the vocabulary ids the query relates to, without
 *           clearing between calls (scratch[0] a generation number; per id, the generation and a row of `table`)
 *
 * The same bound as NameArrays.may_reach in service/core/name_bound.py (the docstring there gives the argument),
 * one candidate name at a time. */
static PyObject *may_reach(PyObject *self, PyObject *args) {
    PyObject *cand_obj, *names, *query, *related, *params, *scratch_o;
    if (!PyArg_ParseTuple(args, "OO!O!O!O!O", &cand_obj, &PyTuple_Type, &names, &PyTuple_Type, &query, &PyList_Type,
                          &related, &PyTuple_Type, &params, &scratch_o)) {
        return NULL;
    }
    PyObject *head_o, *records_o;
    if (!PyArg_ParseTuple(names, "OO", &head_o, &records_o)) {
        return NULL;
    }
    PyObject *qkind_o, *qmass_o, *qfirst_o, *qown_o;
    int person_query, has_numbers, spacing;
    Py_ssize_t q_strong;
    if (!PyArg_ParseTuple(query, "OOOOpnpp", &qkind_o, &qmass_o, &qfirst_o, &qown_o, &person_query, &q_strong,
                          &has_numbers, &spacing)) {
        return NULL;
    }
    double initial_similarity, surplus_weight, unmatched_weight, conflict_weight, threshold;
    if (!PyArg_ParseTuple(params, "ddddd", &initial_similarity, &surplus_weight, &unmatched_weight, &conflict_weight,
                          &threshold)) {
        return NULL;
    }
    enum { N_BUFS = 8 };
    Buf b[N_BUFS];
    for (int i = 0; i < N_BUFS; i++) {
        b[i].held = 0;
    }
    Buf *rel = NULL;
    double *sims = NULL, *best_listed = NULL, *best_query = NULL, *table = NULL;
    PyObject *out = NULL;
    Py_ssize_t m = PyList_GET_SIZE(related), rel_held = 0;
    if (get_buf(cand_obj, &b[0], 8, "cand", 0) < 0 || get_buf(head_o, &b[1], 4, "head", 0) < 0 ||
        get_buf(records_o, &b[2], sizeof(Record), "records", 0) < 0 ||
        get_buf(qkind_o, &b[3], 1, "query kinds", 0) < 0 || get_buf(qmass_o, &b[4], 8, "query masses", 0) < 0 ||
        get_buf(qfirst_o, &b[5], 1, "query firsts", 0) < 0 || get_buf(qown_o, &b[6], 8, "query own ids", 0) < 0 ||
        get_buf(scratch_o, &b[7], 4, "scratch", 1) < 0) {
        goto done;
    }
    const int64_t *cand = DATA(b[0], int64_t);
    const int32_t *head = DATA(b[1], int32_t);
    const Record *records = DATA(b[2], Record);
    const int8_t *q_kind = DATA(b[3], int8_t);
    const double *q_mass = DATA(b[4], double);
    const uint8_t *q_first = DATA(b[5], uint8_t);
    const int64_t *q_own = DATA(b[6], int64_t);
    int32_t *mark = DATA(b[7], int32_t);
    Py_ssize_t vocabulary = (ITEMS(b[7], int32_t) - 1) / 2;
    Py_ssize_t n = ITEMS(b[0], int64_t), n_names = ITEMS(b[1], int32_t), n_records = ITEMS(b[2], Record);
    if (ITEMS(b[3], int8_t) != m || ITEMS(b[4], double) != m || ITEMS(b[5], uint8_t) != m ||
        ITEMS(b[6], int64_t) != m) {
        PyErr_SetString(PyExc_ValueError, "may_reach: query arrays differ in length");
        goto done;
    }
    rel = PyMem_Calloc((size_t)(2 * m + 1), sizeof *rel);
    best_query = PyMem_Malloc((size_t)(m + 1) * sizeof *best_query);
    if (rel == NULL || best_query == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *ids_o, *sims_o;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(related, i), "OO", &ids_o, &sims_o)) {
            goto done;
        }
        rel_held = 2 * i + 2;
        if (get_buf(ids_o, &rel[2 * i], 4, "related ids", 0) < 0 || get_buf(sims_o, &rel[2 * i + 1], 8, "sims", 0) < 0) {
            goto done;
        }
        if (ITEMS(rel[2 * i], int32_t) != ITEMS(rel[2 * i + 1], double)) {
            PyErr_SetString(PyExc_ValueError, "may_reach: related ids and similarities differ in length");
            goto done;
        }
    }
    /* One row of `table` per vocabulary id the query relates to: its similarity with each query token. */
    Py_ssize_t slots = 0, n_slots = m;
    for (Py_ssize_t i = 0; i < m; i++) {
        n_slots += ITEMS(rel[2 * i], int32_t);
    }
    table = PyMem_Calloc((size_t)(n_slots * m + 1), sizeof *table);
    if (table == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (mark[0] >= INT32_MAX - 1) {
        memset(mark, 0, (size_t)b[7].view.len);
    }
    int32_t generation = ++mark[0];
    for (Py_ssize_t i = 0; i < m; i++) {
        const int32_t *ids = DATA(rel[2 * i], int32_t);
        const double *values = DATA(rel[2 * i + 1], double);
        Py_ssize_t n_rel = ITEMS(rel[2 * i], int32_t);
        for (Py_ssize_t r = 0; r <= n_rel; r++) {
            int64_t t = r < n_rel ? ids[r] : q_own[i]; /* the token itself last: it scores 1 */
            if (t < 0) {
                continue;
            }
            if (t >= vocabulary) {
                PyErr_SetString(PyExc_IndexError, "may_reach: token id out of range");
                goto done;
            }
            int32_t *at = &mark[1 + 2 * t];
            if (at[0] != generation) {
                at[0] = generation;
                at[1] = (int32_t)slots++;
            }
            table[at[1] * m + i] = r < n_rel ? values[r] : 1.0;
        }
    }
    out = PyBytes_FromStringAndSize(NULL, n);
    if (out == NULL) {
        goto done;
    }
    uint8_t *reaches = (uint8_t *)PyBytes_AS_STRING(out);
    Py_ssize_t room = 0;
    int q_core = 0, q_initials = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
        q_core |= q_kind[i] == STRONG || q_kind[i] == NUMBER;
        q_initials |= q_kind[i] == INITIAL;
    }
    for (Py_ssize_t c = 0; c < n; c++) {
        /* Candidates lie anywhere in `records` (megabytes): ask for a later candidate's records while this one is
         * bounded, so its cache lines are on their way when its turn comes. */
        if (c + PREFETCH_AHEAD < n) {
            int64_t later = cand[c + PREFETCH_AHEAD];
            if (later >= 0 && later < n_names && head[later] >= 0 && head[later] < n_records) {
                __builtin_prefetch(&records[head[later]]);
                __builtin_prefetch(&records[head[later]] + 4); /* a name's records may cross into the next line */
            }
        }
        int64_t name = cand[c];
        Py_ssize_t at = name < 0 || name >= n_names ? -1 : head[name];
        if (at < 0 || at >= n_records || records[at].head.count < 0 || records[at].head.count >= n_records - at) {
            PyErr_SetString(PyExc_IndexError, "may_reach: candidate out of range");
            Py_CLEAR(out);
            goto done;
        }
        const Head *h = &records[at].head;
        const Occurrence *occ = &records[at + 1].occ;
        Py_ssize_t k = h->count;
        if (m * k > room) {
            room = 2 * m * k;
            if (grow(&sims, (size_t)room * sizeof *sims) < 0 ||
                grow(&best_listed, (size_t)room * sizeof *best_listed) < 0) {
                Py_CLEAR(out);
                goto done;
            }
        }
        int is_person = h->person || person_query;
        /* Credited similarity of each query token (row) with each listed occurrence (column), and the best of each
         * row and column. A column of a token the query does not relate to is all zeros unless the initial rule
         * can apply (a person, and an initial on either side). */
        for (Py_ssize_t i = 0; i < m; i++) {
            best_query[i] = 0.0;
        }
        int lost_query = 0, lost_listed = 0;
        for (Py_ssize_t o = 0; o < k; o++) {
            int32_t t = occ[o].token;
            const double *row = NULL;
            if (t >= 0 && t < vocabulary && mark[1 + 2 * t] == generation) {
                row = &table[mark[2 + 2 * t] * m];
            }
            int ko = occ[o].kind;
            int initial_rule = is_person && (q_initials || ko == INITIAL);
            double best = 0.0;
            if (row == NULL && !initial_rule) {
                for (Py_ssize_t i = 0; i < m; i++) {
                    sims[i * k + o] = 0.0;
                }
            } else {
                for (Py_ssize_t i = 0; i < m; i++) {
                    double v = row != NULL ? row[i] : 0.0;
                    int kx = q_kind[i];
                    if (v == 0.0 && initial_rule && kx != NUMBER) {
                        int rule = kx == INITIAL ? (ko != NUMBER && ko != INITIAL && occ[o].first == q_first[i])
                                                 : (ko == INITIAL && occ[o].first == q_first[i]);
                        if (rule) {
                            v = initial_similarity;
                        }
                    }
                    sims[i * k + o] = v;
                    best = v > best ? v : best;
                    best_query[i] = v > best_query[i] ? v : best_query[i];
                }
            }
            best_listed[o] = best;
            lost_listed |= best == 0.0 && ko != INITIAL;
        }
        for (Py_ssize_t i = 0; i < m; i++) {
            lost_query |= best_query[i] == 0.0 && q_kind[i] != INITIAL;
        }
        /* The unmatched factor: conflict when both sides certainly keep a non-initial leftover. */
        double single = is_person ? surplus_weight : unmatched_weight;
        double factor = lost_query && lost_listed ? conflict_weight : min2(conflict_weight, single);
        double numerator = 0.0, loss = 0.0;
        for (Py_ssize_t i = 0; i < m; i++) {
            numerator += best_query[i] * q_mass[i];
        }
        for (Py_ssize_t o = 0; o < k; o++) {
            numerator += best_listed[o] * occ[o].mass;
        }
        for (Py_ssize_t i = 0; i < m; i++) {
            double f = q_kind[i] == INITIAL ? unmatched_weight : factor;
            loss += (best_query[i] > 0.0 ? min2(1.0 - best_query[i], f) : f) * q_mass[i];
        }
        for (Py_ssize_t o = 0; o < k; o++) {
            double f = occ[o].kind == INITIAL ? unmatched_weight : factor;
            loss += (best_listed[o] > 0.0 ? min2(1.0 - best_listed[o], f) : f) * occ[o].mass;
        }
        int ok = numerator >= threshold * (numerator + loss);

        /* A strong or number part of each side must be related (compare_names scores 0 otherwise). */
        if (ok && !spacing && q_core && h->core != 0) {
            int core = 0;
            for (Py_ssize_t o = 0; o < k && !core; o++) {
                if (occ[o].kind != STRONG && occ[o].kind != NUMBER) {
                    continue;
                }
                for (Py_ssize_t i = 0; i < m && !core; i++) {
                    core = (q_kind[i] == STRONG || q_kind[i] == NUMBER) && sims[i * k + o] > 0.0;
                }
            }
            ok = core;
        }
        /* Numbers that differ cap the score below the threshold. */
        if (ok && has_numbers && h->numbers > 0) {
            int differs = 0;
            for (Py_ssize_t i = 0; i < m; i++) {
                differs |= q_kind[i] == NUMBER && best_query[i] == 0.0;
            }
            for (Py_ssize_t o = 0; o < k && !differs; o++) {
                if (occ[o].kind != NUMBER) {
                    continue;
                }
                int related_number = 0;
                for (Py_ssize_t i = 0; i < m; i++) {
                    related_number |= q_kind[i] == NUMBER && sims[i * k + o] > 0.0;
                }
                differs = !related_number;
            }
            ok = !differs;
        }
        /* OFAC FAQ 5: at most one strong part with a strong partner caps the score below the threshold. */
        Py_ssize_t listed_strong = h->strong;
        Py_ssize_t most = listed_strong > q_strong ? listed_strong : q_strong;
        Py_ssize_t least = listed_strong < q_strong ? listed_strong : q_strong;
        if (ok && !spacing && most >= 2 && (is_person || least >= 2)) {
            Py_ssize_t strong_listed = 0, strong_query = 0;
            int initial_pair = 0;
            for (Py_ssize_t o = 0; o < k; o++) {
                int paired = 0, any = 0;
                for (Py_ssize_t i = 0; i < m; i++) {
                    int r = sims[i * k + o] > 0.0;
                    paired |= r && q_kind[i] == STRONG && occ[o].kind == STRONG;
                    any |= r;
                    initial_pair |= r && q_kind[i] == INITIAL;
                }
                strong_listed += paired;
                initial_pair |= any && occ[o].kind == INITIAL;
            }
            for (Py_ssize_t i = 0; i < m; i++) {
                if (q_kind[i] != STRONG) {
                    continue;
                }
                int paired = 0;
                for (Py_ssize_t o = 0; o < k && !paired; o++) {
                    paired = sims[i * k + o] > 0.0 && occ[o].kind == STRONG;
                }
                strong_query += paired;
            }
            Py_ssize_t parts = strong_listed < strong_query ? strong_listed : strong_query;
            ok = !(parts <= 1 && !(parts == 1 && initial_pair));
        }
        reaches[c] = (uint8_t)ok;
    }
done:
    for (int i = 0; i < N_BUFS; i++) {
        release(&b[i]);
    }
    if (rel != NULL) {
        for (Py_ssize_t i = 0; i < rel_held; i++) {
            release(&rel[i]);
        }
    }
    PyMem_Free(rel);
    PyMem_Free(sims);
    PyMem_Free(best_listed);
    PyMem_Free(best_query);
    PyMem_Free(table);
    return out;
}

static PyMethodDef methods[] = {
    {"letters", letters, METH_VARARGS, "Per-token letter sets, the upper bound lcs_scan filters with."},
    {"lcs_scan", lcs_scan, METH_VARARGS, "LCS of an ASCII token with a slice of tokens, kept where it reaches need."},
    {"union", union_, METH_VARARGS, "Names posted under each key's own or related tokens, with key counts."},
    {"may_reach", may_reach, METH_VARARGS, "Upper bound of compare_names per candidate name (1: may reach)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernels", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
