# cython: language_level=3, boundscheck=False, wraparound=False
"""The objects fastlex.python.generate_tokens gives, made with no scanning and no reading:
the measuring half of bench/python_ceiling.py (compiled on the fly through pyximport).

Plan(tokens) keeps a file's token list as compact C arrays (each token's type, string and line
objects, its positions, whether it starts where the one before ended); build(plan) makes the
list again: a TokenInfo per token, a new (row, col) pair for each position except a start
shared with the previous token's end, one row int per row, all allocated untracked by the
cycle collector as fastlex allocates them. What that costs is the least any tokenizer that
returns these objects can spend."""
from cpython.object cimport PyObject, PyTypeObject
from libc.stdlib cimport malloc, free

cdef extern from "Python.h":
    PyObject* r_long "PyLong_FromSsize_t"(Py_ssize_t v)
    void r_incref "Py_INCREF"(PyObject* o)
    void r_decref "Py_DECREF"(PyObject* o)
    void r_set "PyTuple_SET_ITEM"(PyObject* t, Py_ssize_t i, PyObject* o)
    PyObject* r_list_new "PyList_New"(Py_ssize_t n)
    int r_list_append "PyList_Append"(PyObject* l, PyObject* o)

cdef extern from *:
    """
    /* An object of tp with nitems items, untracked, zeroed from presize bytes before it. */
    static PyObject* ceiling_alloc(PyTypeObject* tp, Py_ssize_t presize, Py_ssize_t size, Py_ssize_t nitems) {
        char* mem = (char*)PyObject_Malloc((size_t)(presize + size));
        if (mem == NULL) return PyErr_NoMemory();
        memset(mem, 0, (size_t)(presize + size));
        PyObject* op = (PyObject*)(mem + presize);
        PyObject_InitVar((PyVarObject*)op, tp, nitems);
        return op;
    }
    """
    PyObject* ceiling_alloc(PyTypeObject* tp, Py_ssize_t presize, Py_ssize_t size, Py_ssize_t nitems) except NULL


cdef class Sizes:
    """Allocation sizes of a TokenInfo and of a pair: the object and what lies before it."""
    cdef Py_ssize_t token_pre, token_size, pair_pre, pair_size
    cdef object token_type

    def __init__(self, token_type, Py_ssize_t token_pre, Py_ssize_t token_size, Py_ssize_t pair_pre,
                 Py_ssize_t pair_size):
        self.token_type = token_type
        self.token_pre, self.token_size = token_pre, token_size
        self.pair_pre, self.pair_size = pair_pre, pair_size


cdef class Plan:
    """One file's tokens as C arrays (the type, string and line objects kept, once each)."""
    cdef Py_ssize_t n
    cdef PyObject** objs          # 3 a token: type, string, line (references held by keep)
    cdef Py_ssize_t* pos          # 4 a token: start row, col, end row, col
    cdef char* shared             # the start is the previous token's end
    cdef list keep

    def __init__(self, tokens):
        self.n = len(tokens)
        self.objs = <PyObject**>malloc(3 * self.n * sizeof(PyObject*) + 1)
        self.pos = <Py_ssize_t*>malloc(4 * self.n * sizeof(Py_ssize_t) + 1)
        self.shared = <char*>malloc(self.n + 1)
        if self.objs == NULL or self.pos == NULL or self.shared == NULL:
            raise MemoryError()
        seen = {}
        previous_end = None
        cdef Py_ssize_t i
        for i, t in enumerate(tokens):
            type_ = seen.setdefault(("t", t.type), t.type)
            string = seen.setdefault(("s", t.string), t.string)
            line = seen.setdefault(("l", t.line), t.line)
            self.objs[3 * i] = <PyObject*>type_
            self.objs[3 * i + 1] = <PyObject*>string
            self.objs[3 * i + 2] = <PyObject*>line
            self.pos[4 * i], self.pos[4 * i + 1] = t.start
            self.pos[4 * i + 2], self.pos[4 * i + 3] = t.end
            self.shared[i] = t.start == previous_end
            previous_end = t.end
        self.keep = list(seen.values())

    def __dealloc__(self):
        free(self.objs)
        free(self.pos)
        free(self.shared)


cdef PyObject* _row_obj = NULL
cdef Py_ssize_t _row = -1


cdef PyObject* new_pair(Sizes z, Py_ssize_t row, Py_ssize_t col) except NULL:
    global _row_obj, _row
    cdef PyObject* o
    if row != _row:
        o = r_long(row)
        if o == NULL:
            return NULL
        if _row_obj != NULL:
            r_decref(_row_obj)
        _row_obj, _row = o, row
    cdef PyObject* c = r_long(col)
    if c == NULL:
        return NULL
    cdef PyObject* t = ceiling_alloc(<PyTypeObject*>tuple, z.pair_pre, z.pair_size, 2)
    r_incref(_row_obj)
    r_set(t, 0, _row_obj)
    r_set(t, 1, c)
    return t


def build(Plan p, Sizes z):
    """The plan's token list, made afresh."""
    out = []
    cdef Py_ssize_t i, k
    cdef PyObject* start
    cdef PyObject* end = NULL
    cdef PyObject* o
    cdef PyTypeObject* tp = <PyTypeObject*>z.token_type
    for i in range(p.n):
        if p.shared[i] and end != NULL:
            start = end
            r_incref(start)
        else:
            start = new_pair(z, p.pos[4 * i], p.pos[4 * i + 1])
        end = new_pair(z, p.pos[4 * i + 2], p.pos[4 * i + 3])
        o = ceiling_alloc(tp, z.token_pre, z.token_size, 5)
        for k in range(3):
            r_incref(p.objs[3 * i + k])
        r_set(o, 0, p.objs[3 * i])
        r_set(o, 1, p.objs[3 * i + 1])
        r_set(o, 2, start)
        r_set(o, 3, end)
        r_set(o, 4, p.objs[3 * i + 2])
        r_list_append(<PyObject*>out, o)
        r_decref(o)
    return out
