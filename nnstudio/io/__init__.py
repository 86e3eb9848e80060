"""Files: the ``.nnstudio`` project format, exporters and importers.  Imports ``core``, never Qt."""

from .project import FORMAT, VERSION, Project, ProjectError, load_project, save_project

__all__ = ["FORMAT", "VERSION", "Project", "ProjectError", "load_project", "save_project"]
