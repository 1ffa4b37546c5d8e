#include "ddb_int.h"
#include "tinystack/http.h"
int ddb_batch_write_item(ddb_call *c) { return ddb_fail(c, TS_ERR_VALIDATION, "not yet"); }
int ddb_batch_get_item(ddb_call *c) { return ddb_fail(c, TS_ERR_VALIDATION, "not yet"); }
int ddb_transact_write_items(ddb_call *c) { return ddb_fail(c, TS_ERR_VALIDATION, "not yet"); }
int ddb_transact_get_items(ddb_call *c) { return ddb_fail(c, TS_ERR_VALIDATION, "not yet"); }
