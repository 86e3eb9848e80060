"""Light and dark looks and the weight colour scale, shared by the canvas and the training views."""
