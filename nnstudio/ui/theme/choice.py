"""Which look the window has: the desktop's light or dark setting (followed when it changes), or one chosen.

View → Theme offers System, Light and Dark; the choice is kept in QSettings
(``theme``).  The older Dark Theme switch (action ``darkTheme``) still works:
it chooses Dark or Light.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication

THEMES = ("system", "light", "dark")


def system_is_dark(scheme: Qt.ColorScheme | None = None) -> bool:
    """Whether the desktop asks for dark colours (an unknown setting counts as light)."""
    if scheme is None:
        if QGuiApplication.instance() is None:
            return False
        scheme = QGuiApplication.styleHints().colorScheme()
    return scheme == Qt.ColorScheme.Dark


def saved_theme(settings: QSettings) -> str:
    """The theme chosen last time; before View → Theme existed, a dark choice was kept as ``darkTheme``."""
    value = settings.value("theme")
    if value in THEMES:
        return str(value)
    return "dark" if settings.value("darkTheme", False, type=bool) else "system"


def is_dark(theme: str, scheme: Qt.ColorScheme | None = None) -> bool:
    return system_is_dark(scheme) if theme == "system" else theme == "dark"


class ThemeChoice(QObject):
    """The View → Theme actions for one window; ``show_theme(dark)`` repaints the window in the look."""

    def __init__(self, actions: dict[str, QAction], settings: QSettings, show_theme: Callable[[bool], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.settings, self.show_theme = settings, show_theme
        self.theme = saved_theme(settings)
        self.dark = is_dark(self.theme)
        self.actions = {theme: actions[f"theme{theme.capitalize()}"] for theme in THEMES}
        group = QActionGroup(self)
        for theme, action in self.actions.items():
            group.addAction(action)
            action.setChecked(theme == self.theme)
            action.triggered.connect(lambda _checked=False, theme=theme: self.choose(theme))
        self.dark_switch = actions["darkTheme"]
        self.dark_switch.setChecked(self.dark)
        self.dark_switch.toggled.connect(lambda on: self.choose("dark" if on else "light"))
        if QGuiApplication.instance() is not None:
            QGuiApplication.styleHints().colorSchemeChanged.connect(self.desktop_changed)

    def stop_following(self) -> None:
        """The window closed: the desktop's next switch is not for it."""
        if QGuiApplication.instance() is not None:
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self.desktop_changed)

    def choose(self, theme: str) -> None:
        """Use ``theme`` (``system``, ``light`` or ``dark``) from now on, and next time."""
        if theme not in THEMES:
            raise ValueError(f"no theme {theme!r}; the themes are {', '.join(THEMES)}")
        self.theme = theme
        self.settings.setValue("theme", theme)
        self.actions[theme].setChecked(True)
        self._show(is_dark(theme))

    def desktop_changed(self, scheme: Qt.ColorScheme) -> None:
        """The desktop switched between light and dark: follow it unless a theme was chosen."""
        if self.theme == "system":
            self._show(system_is_dark(scheme))

    def _show(self, dark: bool) -> None:
        self.dark = dark
        self.dark_switch.blockSignals(True)  # the switch shows the look; it was not clicked
        self.dark_switch.setChecked(dark)
        self.dark_switch.blockSignals(False)
        self.show_theme(dark)
