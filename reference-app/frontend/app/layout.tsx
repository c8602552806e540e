import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Tasks — authproof reference app",
  description: "Next.js + Better Auth + FastAPI reference integration",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <span className="brand">Tasks</span>
          <span className="muted">authproof reference app</span>
        </header>
        <main className="container">{children}</main>
      </body>
    </html>
  );
}
