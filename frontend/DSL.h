// Everything a model author includes: the model, the cell-level ops, and the
// layers.
#ifndef RNNC_FRONTEND_DSL_H
#define RNNC_FRONTEND_DSL_H

#include "frontend/BatchNormGru.h"
#include "frontend/CellOps.h"
#include "frontend/Layers.h"
#include "frontend/Model.h"
#include "frontend/Recurrent.h"

#endif  // RNNC_FRONTEND_DSL_H
