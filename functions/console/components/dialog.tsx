/// <reference lib="dom" />
/**
 * A modal <dialog> opened with showModal() (the browser traps focus inside and closes it on Escape), with a
 * heading and the caller's form content.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = `dialog-${title.replace(/\W+/g, '-').toLowerCase()}`;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={onClose}>
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

export function ErrorText({ error }: { error: string | undefined }) {
  return error ? (
    <p role="alert" class="error">
      {error}
    </p>
  ) : null;
}

/** A dialog form's buttons: the confirming submit (disabled while busy or not ready) and Cancel. */
export function DialogButtons({
  confirm,
  disabled,
  danger = false,
  onCancel,
}: {
  confirm: string;
  disabled: boolean;
  danger?: boolean;
  onCancel: () => void;
}) {
  return (
    <div class="buttons">
      <button type="submit" class={danger ? 'danger' : undefined} disabled={disabled}>
        {confirm}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
