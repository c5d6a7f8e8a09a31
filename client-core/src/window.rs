//! Opening the window with a renderer that works: wgpu first, and glow (OpenGL) when
//! wgpu cannot start (an old PC, a VM, a remote desktop), or the one the user named
//! with `--renderer`. The log says which one runs.

use std::cell::RefCell;
use std::rc::Rc;

use eframe::Renderer;

/// The `--renderer` option both windows take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RendererChoice {
    /// wgpu, falling back to glow if wgpu cannot start.
    #[default]
    Auto,
    Wgpu,
    Glow,
}

/// Command-line options about the window itself.
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// Graphics renderer: `auto` tries wgpu, then glow (OpenGL).
    #[arg(long, value_enum, default_value_t = RendererChoice::Auto)]
    pub renderer: RendererChoice,
}

/// The renderers to try, in order.
pub fn renderers(choice: RendererChoice) -> &'static [Renderer] {
    match choice {
        RendererChoice::Auto => &[Renderer::Wgpu, Renderer::Glow],
        RendererChoice::Wgpu => &[Renderer::Wgpu],
        RendererChoice::Glow => &[Renderer::Glow],
    }
}

/// Runs the window until it closes. `options` is called once per attempt (the options
/// cannot be cloned); `create` builds the app once a renderer has started. If a
/// renderer fails before the app was built, the next one is tried; once the app
/// exists, a failure is final (the app's state went with it).
pub fn run_window<F>(
    app_name: &str,
    choice: RendererChoice,
    options: impl Fn() -> eframe::NativeOptions,
    create: F,
) -> eframe::Result
where
    F: FnOnce(&eframe::CreationContext<'_>) -> Box<dyn eframe::App> + 'static,
{
    let create = Rc::new(RefCell::new(Some(create)));
    let mut result = Ok(());
    for renderer in renderers(choice) {
        if create.borrow().is_none() {
            break;
        }
        let mut attempt = options();
        attempt.renderer = *renderer;
        let slot = Rc::clone(&create);
        let renderer = *renderer;
        result = eframe::run_native(
            app_name,
            attempt,
            Box::new(move |cc| {
                let create = slot
                    .borrow_mut()
                    .take()
                    .ok_or("the window's app was already created")?;
                tracing::info!("window renderer: {renderer}");
                Ok(create(cc))
            }),
        );
        match &result {
            Ok(()) => return result,
            Err(err) => tracing::warn!("the {renderer} renderer did not start: {err}"),
        }
    }
    result
}
