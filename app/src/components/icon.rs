use leptos::prelude::*;

/// Inline SVG icons: no icon font to download, and they inherit the text colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IconName {
    Home,
    Logout,
    Globe,
    Key,
    User,
    School,
    Alert,
    Check,
    Circle,
    Info,
    Folder,
    File,
    Image,
    Upload,
    Download,
    Trash,
    Camera,
    Mail,
    Flag,
    Calendar,
    Menu,
    Book,
    Settings,
    People,
    Heart,
    Eye,
    Shield,
    Hand,
}

impl IconName {
    fn path(self) -> &'static str {
        match self {
            IconName::Home => "M3 11 12 3l9 8v10a1 1 0 0 1-1 1h-5v-7H9v7H4a1 1 0 0 1-1-1z",
            IconName::Logout => "M10 4H5v16h5M15 8l4 4-4 4M19 12H9",
            IconName::Globe => {
                "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18"
            }
            IconName::Key => "M14 10a4 4 0 1 0-4 4l1-1h2v-2h2l1-1zM7 7.5h.01",
            IconName::User => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4 4-6 8-6s8 2 8 6",
            IconName::School => "M3 10l9-6 9 6M5 10v10h14V10M10 20v-5h4v5",
            IconName::Alert => "M12 3 2 20h20zM12 10v4M12 17h.01",
            IconName::Check => "M4 12l5 5L20 6",
            IconName::Circle => "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z",
            IconName::Info => "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 11v6M12 7h.01",
            IconName::Mail => "M3 6h18v12H3zM3 6l9 7 9-7",
            IconName::Flag => "M5 21V4M5 4h11l-2 4 2 4H5",
            IconName::Calendar => "M4 6h16v14H4zM4 10h16M8 3v5M16 3v5",
            IconName::Folder => {
                "M3 6a1 1 0 0 1 1-1h5l2 2h9a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z"
            }
            IconName::File => "M6 3h8l4 4v14H6zM14 3v4h4",
            IconName::Image => "M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15 9h.01",
            IconName::Upload => "M12 16V4M7 9l5-5 5 5M4 20h16",
            IconName::Download => "M12 4v12M7 11l5 5 5-5M4 20h16",
            IconName::Trash => "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13",
            IconName::Camera => "M4 8h4l2-3h4l2 3h4v11H4zM12 16a3 3 0 1 0 0-6 3 3 0 0 0 0 6",
            IconName::Menu => "M4 6h16M4 12h16M4 18h16",
            IconName::Book => {
                "M5 4h12a2 2 0 0 1 2 2v14H7a2 2 0 0 1-2-2zM5 18a2 2 0 0 1 2-2h12M9 8h6"
            }
            IconName::Settings => {
                "M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1M15 4v4M9 10v4M17 16v4"
            }
            IconName::People => {
                "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20c0-3 3-5 6-5s6 2 6 5M16 5a3 3 0 0 1 0 6M18 15c2 .5 3 2.5 3 5"
            }
            IconName::Heart => "M12 20s-8-5-8-11a4 4 0 0 1 8-1 4 4 0 0 1 8 1c0 6-8 11-8 11z",
            IconName::Eye => {
                "M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zM12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z"
            }
            IconName::Shield => "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM9 12l2 2 4-4",
            IconName::Hand => {
                "M8 13V5a1.5 1.5 0 0 1 3 0v6M11 11V4a1.5 1.5 0 0 1 3 0v7M14 11V5.5a1.5 1.5 0 0 1 3 0V14a7 7 0 0 1-7 7 6 6 0 0 1-5-3l-2.5-4.5a1.5 1.5 0 0 1 2.5-1.5L8 14"
            }
        }
    }
}

#[component]
pub fn Icon(name: IconName) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=name.path()/>
        </svg>
    }
}
