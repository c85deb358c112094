# Arrow export through the C Data Interface and its PyCapsule protocol, with no pyarrow needed.
#
# Tokens.__arrow_c_array__ hands out a struct array {kind: uint16, start: uint32, end: uint32}
# whose three children point at the Tokens' own kinds/starts/ends columns (zero copy when the
# records sit in one region chunk, as they usually do). pyarrow.array(tokens), polars and DuckDB
# read it without a Python object per token.
# Who owns memory: one malloc'd ArrowExport block holds both C structs' storage (children,
# buffer pointer arrays) and the Py_buffer views of the three columns; each struct's release
# callback drops its half, and the block, with the views (which keep the Lexer alive and count
# as exports, as memoryviews do), goes when both halves are released.

cdef extern from *:
    """
    #include <stdint.h>
    #include <stdlib.h>
    #include <string.h>
    #ifndef ARROW_C_DATA_INTERFACE
    #define ARROW_C_DATA_INTERFACE
    #define ARROW_FLAG_DICTIONARY_ORDERED 1
    #define ARROW_FLAG_NULLABLE 2
    #define ARROW_FLAG_MAP_KEYS_SORTED 4
    struct ArrowSchema {
        const char* format;
        const char* name;
        const char* metadata;
        int64_t flags;
        int64_t n_children;
        struct ArrowSchema** children;
        struct ArrowSchema* dictionary;
        void (*release)(struct ArrowSchema*);
        void* private_data;
    };
    struct ArrowArray {
        int64_t length;
        int64_t null_count;
        int64_t offset;
        int64_t n_buffers;
        int64_t n_children;
        const void** buffers;
        struct ArrowArray** children;
        struct ArrowArray* dictionary;
        void (*release)(struct ArrowArray*);
        void* private_data;
    };
    #endif

    /* Everything one export needs, in one block. */
    typedef struct {
        int halves;                              /* schema and array not yet released */
        struct ArrowSchema child_schemas[3];
        struct ArrowSchema* child_schema_ptrs[3];
        struct ArrowArray child_arrays[3];
        struct ArrowArray* child_array_ptrs[3];
        const void* struct_buffers[1];           /* the struct's validity: none */
        const void* child_buffers[3][2];         /* each child: no validity, its values */
        Py_buffer views[3];                      /* kinds, starts, ends */
    } FastlexArrowExport;

    static const char* const fastlex_arrow_names[3] = {"kind", "start", "end"};
    static const char* const fastlex_arrow_formats[3] = {"S", "I", "I"};

    /* Drop one half; the last one releases the column views (with the GIL) and the block. */
    static void fastlex_arrow_drop(FastlexArrowExport* e) {
        if (--e->halves == 0) {
            PyGILState_STATE g = PyGILState_Ensure();
            for (int i = 0; i < 3; i++) PyBuffer_Release(&e->views[i]);
            PyGILState_Release(g);
            free(e);
        }
    }

    /* The export's release callbacks: children are released with their parent (no-ops alone). */
    static void fastlex_arrow_child_schema_release(struct ArrowSchema* s) { s->release = NULL; }
    static void fastlex_arrow_child_array_release(struct ArrowArray* a) { a->release = NULL; }

    static void fastlex_arrow_schema_release(struct ArrowSchema* s) {
        FastlexArrowExport* e = (FastlexArrowExport*)s->private_data;
        s->release = NULL;
        fastlex_arrow_drop(e);
    }

    static void fastlex_arrow_array_release(struct ArrowArray* a) {
        FastlexArrowExport* e = (FastlexArrowExport*)a->private_data;
        a->release = NULL;
        fastlex_arrow_drop(e);
    }

    /* Fill schema and array from e (whose views are taken) for length records. */
    static void fastlex_arrow_fill(FastlexArrowExport* e, struct ArrowSchema* schema,
                                   struct ArrowArray* array, int64_t length) {
        e->halves = 2;
        for (int i = 0; i < 3; i++) {
            struct ArrowSchema* cs = &e->child_schemas[i];
            memset(cs, 0, sizeof(*cs));
            cs->format = fastlex_arrow_formats[i];
            cs->name = fastlex_arrow_names[i];
            cs->flags = ARROW_FLAG_NULLABLE;
            cs->release = fastlex_arrow_child_schema_release;
            e->child_schema_ptrs[i] = cs;
            struct ArrowArray* ca = &e->child_arrays[i];
            memset(ca, 0, sizeof(*ca));
            ca->length = length;
            ca->n_buffers = 2;
            e->child_buffers[i][0] = NULL;
            e->child_buffers[i][1] = e->views[i].buf;
            ca->buffers = e->child_buffers[i];
            ca->release = fastlex_arrow_child_array_release;
            e->child_array_ptrs[i] = ca;
        }
        memset(schema, 0, sizeof(*schema));
        schema->format = "+s";
        schema->name = "";
        schema->flags = ARROW_FLAG_NULLABLE;
        schema->n_children = 3;
        schema->children = e->child_schema_ptrs;
        schema->release = fastlex_arrow_schema_release;
        schema->private_data = e;
        memset(array, 0, sizeof(*array));
        array->length = length;
        array->n_buffers = 1;
        e->struct_buffers[0] = NULL;
        array->buffers = e->struct_buffers;
        array->n_children = 3;
        array->children = e->child_array_ptrs;
        array->release = fastlex_arrow_array_release;
        array->private_data = e;
    }

    /* Release a struct the consumer did not take, and free its storage. */
    static void fastlex_arrow_schema_free_raw(struct ArrowSchema* s) {
        if (s->release != NULL) s->release(s);
        free(s);
    }

    static void fastlex_arrow_array_free_raw(struct ArrowArray* a) {
        if (a->release != NULL) a->release(a);
        free(a);
    }

    /* PyCapsule destructors: release what the consumer did not take. */
    static void fastlex_arrow_schema_capsule_free(PyObject* capsule) {
        struct ArrowSchema* s = (struct ArrowSchema*)PyCapsule_GetPointer(capsule, "arrow_schema");
        if (s == NULL) { PyErr_Clear(); return; }
        fastlex_arrow_schema_free_raw(s);
    }

    static void fastlex_arrow_array_capsule_free(PyObject* capsule) {
        struct ArrowArray* a = (struct ArrowArray*)PyCapsule_GetPointer(capsule, "arrow_array");
        if (a == NULL) { PyErr_Clear(); return; }
        fastlex_arrow_array_free_raw(a);
    }
    """
    struct ArrowSchema:
        pass
    struct ArrowArray:
        pass
    ctypedef struct FastlexArrowExport:
        int halves
        Py_buffer views[3]
    void fastlex_arrow_fill(FastlexArrowExport* e, ArrowSchema* schema, ArrowArray* array, int64_t length) noexcept
    void fastlex_arrow_schema_free_raw(ArrowSchema* s) noexcept
    void fastlex_arrow_array_free_raw(ArrowArray* a) noexcept
    void fastlex_arrow_schema_capsule_free(object capsule) noexcept
    void fastlex_arrow_array_capsule_free(object capsule) noexcept
    ctypedef void (*PyCapsule_Destructor)(object)
    object PyCapsule_New(void* pointer, const char* name, PyCapsule_Destructor destructor)


cdef tuple arrow_export(object kinds, object starts, object ends, int64_t length):
    """(schema capsule, array capsule) of the struct array {kind, start, end} whose children are
    the given columns (buffer-protocol objects of length values each, uint16/uint32/uint32)."""
    cdef FastlexArrowExport* e = <FastlexArrowExport*>calloc(1, sizeof(FastlexArrowExport))
    cdef ArrowSchema* schema = NULL
    cdef ArrowArray* array = NULL
    cdef int taken = 0
    if e == NULL:
        raise MemoryError()
    try:
        for col in (kinds, starts, ends):
            PyObject_GetBuffer(col, &e.views[taken], PyBUF_C_CONTIGUOUS)
            taken += 1
        schema = <ArrowSchema*>malloc(sizeof(ArrowSchema))
        array = <ArrowArray*>malloc(sizeof(ArrowArray))
        if schema == NULL or array == NULL:
            raise MemoryError()
    except BaseException:
        for i in range(taken):
            PyBuffer_Release(&e.views[i])
        free(e)
        free(schema)
        free(array)
        raise
    fastlex_arrow_fill(e, schema, array, length)
    # From here the structs own e: each capsule's destructor releases its struct unless a
    # consumer moved it out (and took over the release).
    try:
        schema_capsule = PyCapsule_New(schema, "arrow_schema", fastlex_arrow_schema_capsule_free)
    except BaseException:
        fastlex_arrow_schema_free_raw(schema)
        fastlex_arrow_array_free_raw(array)
        raise
    try:
        array_capsule = PyCapsule_New(array, "arrow_array", fastlex_arrow_array_capsule_free)
    except BaseException:
        fastlex_arrow_array_free_raw(array)
        raise
    return schema_capsule, array_capsule
